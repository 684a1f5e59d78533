// MemStateView and OverlayView: reads through, buffered writes, scan merge, commit/discard.
#include <catch2/catch.hpp>

#include "chaincode/state_view.h"

using namespace licenced;
using namespace licenced::chaincode;

TEST_CASE("overlay buffers writes until Commit", "[state_view]") {
  MemStateView base;
  base.Put("a/1", ToBytes("one"));
  base.Put("a/2", ToBytes("two"));
  base.Put("a/3", ToBytes("three"));
  base.Put("b/1", ToBytes("b"));
  OverlayView overlay(base);
  overlay.Put("a/0", ToBytes("zero"));
  overlay.Delete("a/2");
  overlay.Put("a/3", ToBytes("THREE"));
  CHECK(ToString(*overlay.Get("a/3")) == "THREE");
  CHECK_FALSE(overlay.Get("a/2").has_value());
  CHECK(ToString(*base.Get("a/2")) == "two");
  auto scan = overlay.Scan("a/", 10);
  REQUIRE(scan.size() == 3);
  CHECK(scan[0].first == "a/0");
  CHECK(scan[1].first == "a/1");
  CHECK(ToString(scan[2].second) == "THREE");
  CHECK(overlay.Scan("a/", 2).size() == 2);
  MemStateView before = base;
  overlay.Discard();
  CHECK(base == before);
  CHECK(ToString(*overlay.Get("a/2")) == "two");
  overlay.Delete("a/1");
  overlay.Commit();
  CHECK_FALSE(base.Get("a/1").has_value());
  CHECK(base.Scan("a/", 10).size() == 2);
  CHECK(base.Scan("", 100).size() == 3);
}
