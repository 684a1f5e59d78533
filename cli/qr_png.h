// The QR form of a proof presentation (`licencectl proof present --qr FILE.png
// | --qr-terminal`, docs/proof-format.md): the zlib payload, the QR code
// (libqrencode, byte mode, error correction L), a minimal PNG writer and a
// terminal rendering. `proof verify` inflates the payload of a scanned code.
// Pure functions over values; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace licenced::cli {

// zlib at level 9 (the QR payload).
Result<Bytes> Compress(const Bytes& in);
// The inverse; InvalidArgument for anything but one whole zlib stream of at
// most 2 MiB.
Result<Bytes> Inflate(ByteView in);

struct QrCode {
  int version = 0;         // 1..40
  int width = 0;           // modules per side
  std::vector<bool> dark;  // width * width, row by row
  bool Dark(int x, int y) const {
    return x >= 0 && y >= 0 && x < width && y < width && dark[size_t(y) * width + x];
  }
};

// The QR code holding `payload` in byte mode; InvalidArgument if it does not
// fit (2953 bytes at most).
Result<QrCode> EncodeQr(const Bytes& payload);

// A PNG of the code: 8-bit greyscale, `scale` pixels per module, 4-module
// quiet zone.
Result<Bytes> QrPng(const QrCode& qr, int scale);

// The code as text for a terminal: two modules per character row (upper and
// lower half blocks) on a light background, 2-module quiet zone, one line per
// row pair ending in '\n'.
std::string QrTerminalText(const QrCode& qr);

}  // namespace licenced::cli
