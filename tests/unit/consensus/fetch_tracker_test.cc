#include <catch2/catch.hpp>

#include "consensus/fetch_tracker.h"

namespace licenced::consensus {

TEST_CASE("fetch tracker keeps the highest claim and a growing target", "[consensus][fetch]") {
  FetchTracker t;
  t.RaiseTarget(10);
  t.RaiseTarget(4);
  CHECK(t.target() == 10);
  CHECK_FALSE(t.outstanding());
  t.Started(2);
  CHECK(t.outstanding());
  CHECK(t.last_peer() == 2);
  t.Finished();
  CHECK_FALSE(t.outstanding());
  CHECK(t.last_peer() == 2);
}

TEST_CASE("fetch tracker retries round robin over peers that claimed to be ahead",
          "[consensus][fetch]") {
  // Replica 0 of 4 has delivered 5; peers 1 and 3 claim more, peer 2 does not.
  FetchTracker t;
  t.NotePeerHeight(1, 8);
  t.NotePeerHeight(2, 5);
  t.NotePeerHeight(3, 9);
  t.NotePeerHeight(3, 2);  // a lower claim does not replace a higher one
  t.Started(1);
  CHECK(t.NextPeer(0, 4, 5) == 3);  // skips 2 (not ahead)
  t.Started(3);
  CHECK(t.NextPeer(0, 4, 5) == 1);  // wraps past self (0)
  // Nobody else ahead: ask the last peer again.
  CHECK(t.NextPeer(0, 4, 9) == 3);
}

}  // namespace licenced::consensus
