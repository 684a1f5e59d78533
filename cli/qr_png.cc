#include "cli/qr_png.h"

#include <qrencode.h>
#include <zlib.h>

namespace licenced::cli {
namespace {

void PutU32(Bytes& b, uint32_t v) {
  for (int i = 3; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void PngChunk(Bytes& png, const char* type, const Bytes& data) {
  PutU32(png, static_cast<uint32_t>(data.size()));
  Bytes td(type, type + 4);
  td.insert(td.end(), data.begin(), data.end());
  png.insert(png.end(), td.begin(), td.end());
  PutU32(png, static_cast<uint32_t>(crc32(0, td.data(), static_cast<uInt>(td.size()))));
}

}  // namespace

Result<Bytes> Compress(const Bytes& in) {
  uLongf n = compressBound(in.size());
  Bytes out(n);
  if (compress2(out.data(), &n, in.data(), in.size(), 9) != Z_OK)
    return Status::Internal("zlib compression failed");
  out.resize(n);
  return out;
}

Result<Bytes> Inflate(ByteView in) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return Status::Internal("zlib init failed");
  Bytes out;
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    out.resize(out.size() + 16384);
    zs.next_out = out.data() + out.size() - 16384;
    zs.avail_out = 16384;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (out.size() > 2 * 1024 * 1024) rc = Z_DATA_ERROR;
  }
  size_t total = zs.total_out;
  bool all_in = zs.avail_in == 0;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || !all_in) return Status::InvalidArgument("not a valid zlib stream");
  out.resize(total);
  return out;
}

Result<QrCode> EncodeQr(const Bytes& payload) {
  QRcode* qr = QRcode_encodeData(static_cast<int>(payload.size()), payload.data(), 0, QR_ECLEVEL_L);
  if (qr == nullptr) {
    return Status::InvalidArgument("the payload does not fit in a QR code (max 2953 bytes)");
  }
  QrCode out;
  out.version = qr->version;
  out.width = qr->width;
  out.dark.resize(static_cast<size_t>(qr->width) * qr->width);
  for (size_t i = 0; i < out.dark.size(); ++i) out.dark[i] = (qr->data[i] & 1) != 0;
  QRcode_free(qr);
  return out;
}

Result<Bytes> QrPng(const QrCode& qr, int scale) {
  int border = 4;
  int side = (qr.width + 2 * border) * scale;
  Bytes raw;
  raw.reserve(static_cast<size_t>(side) * (side + 1));
  for (int y = 0; y < side; ++y) {
    raw.push_back(0);  // filter: none
    int my = y / scale - border;
    for (int x = 0; x < side; ++x) {
      int mx = x / scale - border;
      raw.push_back(qr.Dark(mx, my) ? 0 : 255);
    }
  }
  LIC_ASSIGN_OR_RETURN(Bytes idat, Compress(raw));
  Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  Bytes ihdr;
  PutU32(ihdr, static_cast<uint32_t>(side));
  PutU32(ihdr, static_cast<uint32_t>(side));
  ihdr.insert(ihdr.end(), {8, 0, 0, 0, 0});  // depth 8, greyscale, deflate, no filter, no interlace
  PngChunk(png, "IHDR", ihdr);
  PngChunk(png, "IDAT", idat);
  PngChunk(png, "IEND", {});
  return png;
}

std::string QrTerminalText(const QrCode& qr) {
  int border = 2;
  int w = qr.width + 2 * border;
  auto dark = [&](int x, int y) { return qr.Dark(x - border, y - border); };
  std::string out;
  for (int y = 0; y < w; y += 2) {
    for (int x = 0; x < w; ++x) {
      bool top = dark(x, y), bottom = dark(x, y + 1);
      out += top && bottom ? " " : top ? "\u2584" : bottom ? "\u2580" : "\u2588";
    }
    out += "\n";
  }
  return out;
}

}  // namespace licenced::cli
