// The hash chain's arithmetic and the alerts index's one writer.
#include "storage/chain.h"

#include <gtest/gtest.h>
#include <openssl/sha.h>
#include <rocksdb/write_batch.h>

#include "storage/alerts_index.h"
#include "storage/format.h"

namespace contrack::storage {
namespace {

TEST(ChainTest, HexAndUnhexRoundTripAndRefuseMalformedDigits) {
  unsigned char bytes[format::kHashSize];
  for (size_t i = 0; i < sizeof(bytes); ++i) bytes[i] = static_cast<unsigned char>(i * 37);
  const std::string hex = Hex(bytes, sizeof(bytes));
  EXPECT_EQ(hex.substr(0, 8), "00254a6f");
  unsigned char back[format::kHashSize];
  ASSERT_TRUE(Unhex(hex, back));
  EXPECT_EQ(std::string(reinterpret_cast<char*>(back), sizeof(back)),
            std::string(reinterpret_cast<char*>(bytes), sizeof(bytes)));
  EXPECT_FALSE(Unhex(hex.substr(1), back));        // one digit short
  EXPECT_FALSE(Unhex("G" + hex.substr(1), back));  // not hex
  EXPECT_FALSE(Unhex("A" + hex.substr(1), back));  // upper case is not the encoding
  EXPECT_EQ(ZeroHash(), std::string(2 * format::kHashSize, '0'));
}

TEST(ChainTest, EachHashIsSha256OfTheRawPreviousHashAndTheRecord) {
  const std::string record = "a serialized record";
  unsigned char in[format::kHashSize + 19] = {};  // 32 zero bytes, then the record
  std::copy(record.begin(), record.end(), in + format::kHashSize);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(in, sizeof(in), digest);
  const std::string first = ChainHash(ZeroHash(), record);
  EXPECT_EQ(first, Hex(digest, sizeof(digest)));
  // The next link hashes the previous hash's bytes, not its hex.
  EXPECT_NE(ChainHash(first, record), first);
  EXPECT_EQ(ChainHash(first, record), ChainHash(first, record));
}

// Counts a WriteBatch's puts and deletes by key.
struct Ops : rocksdb::WriteBatch::Handler {
  std::vector<std::string> puts, deletes;
  rocksdb::Status PutCF(uint32_t, const rocksdb::Slice& k, const rocksdb::Slice&) override {
    puts.push_back(k.ToString());
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(uint32_t, const rocksdb::Slice& k) override {
    deletes.push_back(k.ToString());
    return rocksdb::Status::OK();
  }
};

Ops Replay(const rocksdb::WriteBatch& b) {
  Ops ops;
  EXPECT_TRUE(b.Iterate(&ops).ok());
  return ops;
}

TEST(AlertsIndexTest, AnEntryIsWrittenOnlyWhenItsKeyOrBytesChange) {
  const AlertRows v1{{"k1", "v"}}, w1{{"k1", "w"}}, v2{{"k2", "v"}}, none;
  {
    rocksdb::WriteBatch b;  // unchanged: nothing written
    ReplaceAlertRows(&b, nullptr, v1, v1);
    EXPECT_EQ(b.Count(), 0u);
  }
  {
    rocksdb::WriteBatch b;  // same key, new bytes: one put
    ReplaceAlertRows(&b, nullptr, v1, w1);
    auto ops = Replay(b);
    EXPECT_EQ(ops.puts, std::vector<std::string>{"k1"});
    EXPECT_TRUE(ops.deletes.empty());
  }
  {
    rocksdb::WriteBatch b;  // the key moves: delete the old, put the new
    ReplaceAlertRows(&b, nullptr, v1, v2);
    auto ops = Replay(b);
    EXPECT_EQ(ops.deletes, std::vector<std::string>{"k1"});
    EXPECT_EQ(ops.puts, std::vector<std::string>{"k2"});
  }
  {
    rocksdb::WriteBatch b;  // the contract raises no alert any more: only the delete
    ReplaceAlertRows(&b, nullptr, v1, none);
    auto ops = Replay(b);
    EXPECT_EQ(ops.deletes, std::vector<std::string>{"k1"});
    EXPECT_TRUE(ops.puts.empty());
  }
  {
    rocksdb::WriteBatch b;  // a second entry comes, the first stays: one put
    ReplaceAlertRows(&b, nullptr, v1, AlertRows{{"k1", "v"}, {"k3", "x"}});
    auto ops = Replay(b);
    EXPECT_EQ(ops.puts, std::vector<std::string>{"k3"});
    EXPECT_TRUE(ops.deletes.empty());
  }
}

TEST(AlertsIndexTest, RowsFollowTheContractsStatus) {
  v1::ContractState s;
  s.set_contract_id("C-1");
  s.set_authority("Leeds City Council");
  s.set_status("active");
  EXPECT_TRUE(AlertRowsOf(s).empty());  // rolling, no review date: no entry
  s.set_current_end_date("2016-03-31");
  s.set_notice_period_days(90);
  auto rows = AlertRowsOf(s);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].key[0], static_cast<char>(v1::AlertIndexEntry::EXPIRY));
  EXPECT_EQ(rows[0].key.size(), format::kAlertKeyHeader + 3);
  EXPECT_TRUE(rows[0].key.ends_with("C-1"));
  EXPECT_FALSE(rows[0].value.empty());
  s.set_review_date("2015-12-31");
  ASSERT_EQ(AlertRowsOf(s).size(), 2u);
  EXPECT_EQ(AlertRowsOf(s)[1].key[0], static_cast<char>(v1::AlertIndexEntry::REVIEW));
  s.set_status("terminated");
  s.set_termination_date("2016-01-31");
  rows = AlertRowsOf(s);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].key[0], static_cast<char>(v1::AlertIndexEntry::TERMINATING));
  s.set_status("expired");
  EXPECT_TRUE(AlertRowsOf(s).empty());
}

}  // namespace
}  // namespace contrack::storage
