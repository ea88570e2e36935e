// Money and bytes as text: one formatter each, for people and for the register CSV.
#include "domain/format_text.h"

#include <gtest/gtest.h>

#include <limits>

namespace contrack {
namespace {

TEST(FormatTextTest, PoundsForPeopleHaveThousandsSeparatorsAndASign) {
  EXPECT_EQ(FormatPounds(72867800), "£728,678.00");
  EXPECT_EQ(FormatPounds(5), "£0.05");
  EXPECT_EQ(FormatPounds(-150), "-£1.50");
  EXPECT_EQ(FormatPounds(100000000), "£1,000,000.00");
  EXPECT_EQ(FormatPounds(std::numeric_limits<int64_t>::min()), "-£92,233,720,368,547,758.08");
}

TEST(FormatTextTest, PlainPoundsAreDecimalNumbers) {
  EXPECT_EQ(FormatPoundsPlain(72867800), "728678.00");
  EXPECT_EQ(FormatPoundsPlain(-150), "-1.50");
  EXPECT_EQ(FormatPoundsPlain(0), "0.00");
}

TEST(FormatTextTest, HexIsLowerCaseTwoDigitsPerByte) {
  const unsigned char b[] = {0x00, 0x0f, 0xa0, 0xff};
  EXPECT_EQ(Hex(b, sizeof(b)), "000fa0ff");
  EXPECT_EQ(Hex(b, 0), "");
}

TEST(FormatTextTest, PercentEncodeKeepsOnlyTheUnreservedCharacters) {
  EXPECT_EQ(PercentEncode("LCC-DIP_CRI.2015~x"), "LCC-DIP_CRI.2015~x");
  EXPECT_EQ(PercentEncode("a b/c?d&e=f#g"), "a%20b%2Fc%3Fd%26e%3Df%23g");
  EXPECT_EQ(PercentEncode("\xC2\xA3"), "%C2%A3");
  EXPECT_EQ(PercentEncode(""), "");
}

}  // namespace
}  // namespace contrack
