// Fuzz target: core/encoding.h Reader, the base of every canonical decoder.
// The first bytes choose a sequence of reads; the rest is the data. Invariants:
// no read goes past the data; after a failed read every later read yields a
// zero value; re-encoding the values read with Writer gives back exactly the
// consumed prefix of the data; Finish() is OK iff everything was consumed.
#include "core/encoding.h"
#include "fuzz_common.h"

using namespace licenced;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  size_t nops = in.U8() % 32;
  Bytes ops = in.Take(nops);
  Bytes payload = in.Rest();
  Reader r(payload);
  Writer w;
  bool failed = false;
  for (uint8_t op : ops) {
    switch (op % 6) {
      case 0: {
        uint8_t v = r.U8();
        if (r.ok()) w.U8(v);
        if (!r.ok()) FUZZ_CHECK(v == 0, "Reader: failed U8 is not zero");
        break;
      }
      case 1: {
        uint32_t v = r.U32();
        if (r.ok()) w.U32(v);
        if (!r.ok()) FUZZ_CHECK(v == 0, "Reader: failed U32 is not zero");
        break;
      }
      case 2: {
        uint64_t v = r.U64();
        if (r.ok()) w.U64(v);
        if (!r.ok()) FUZZ_CHECK(v == 0, "Reader: failed U64 is not zero");
        break;
      }
      case 3: {
        Bytes v = r.Var();
        if (r.ok()) w.Var(v);
        if (!r.ok()) FUZZ_CHECK(v.empty(), "Reader: failed Var is not empty");
        break;
      }
      case 4: {
        std::string v = r.Str();
        if (r.ok()) w.Str(v);
        if (!r.ok()) FUZZ_CHECK(v.empty(), "Reader: failed Str is not empty");
        break;
      }
      case 5: {
        auto v = r.Fixed<32>();
        if (r.ok()) w.Raw(v);
        if (!r.ok())
          FUZZ_CHECK(v == (std::array<uint8_t, 32>{}), "Reader: failed Fixed is not zero");
        break;
      }
    }
    if (failed) FUZZ_CHECK(!r.ok(), "Reader: ok() again after a failed read");
    failed = !r.ok();
    FUZZ_CHECK(r.remaining() <= payload.size(), "Reader: remaining() past the data");
  }
  if (r.ok()) {
    size_t consumed = payload.size() - r.remaining();
    FUZZ_CHECK(w.bytes() == Bytes(payload.begin(), payload.begin() + consumed),
               "Reader/Writer: re-encoding does not give the consumed bytes back");
    FUZZ_CHECK(r.Finish("x").ok() == (r.remaining() == 0),
               "Reader: Finish() disagrees with remaining()");
  } else {
    FUZZ_CHECK(!r.Finish("x").ok(), "Reader: Finish() OK after a failed read");
  }
  return 0;
}
