// libFuzzer entry point for the event_json target (targets.h).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  contrack::fuzz::EventJson(data, size);
  return 0;
}
