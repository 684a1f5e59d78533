#include <catch2/catch.hpp>
#include <vector>

#include "consensus/request_pool.h"
#include "core/crypto.h"

namespace licenced::consensus {
namespace {

Hash Id(int i) { return crypto::Sha256(ToBytes("tx-" + std::to_string(i))); }

std::vector<Hash> Order(const RequestPool& pool) {
  std::vector<Hash> out;
  pool.ForEach([&](const RequestPool::Request& r) {
    out.push_back(r.id);
    return true;
  });
  return out;
}

}  // namespace

TEST_CASE("request pool keeps arrival order across removals", "[consensus][pool]") {
  RequestPool pool;
  for (int i = 0; i < 5; ++i) pool.Add(Id(i), ToBytes("tx-" + std::to_string(i)), 100 + i);
  CHECK(pool.size() == 5);
  CHECK(pool.OldestArrival() == 100);
  pool.Remove(Id(0));
  pool.Remove(Id(3));
  pool.Remove(Id(9));  // absent: no-op
  CHECK(pool.size() == 3);
  CHECK_FALSE(pool.Contains(Id(0)));
  CHECK(pool.Contains(Id(4)));
  CHECK(Order(pool) == std::vector<Hash>{Id(1), Id(2), Id(4)});
  CHECK(pool.OldestArrival() == 101);
  // A request that comes back goes to the end.
  pool.Add(Id(0), ToBytes("tx-0"), 200);
  CHECK(Order(pool) == std::vector<Hash>{Id(1), Id(2), Id(4), Id(0)});
  CHECK(pool.consistent());
}

TEST_CASE("request pool visits oldest first and stops when told", "[consensus][pool]") {
  RequestPool pool;
  for (int i = 0; i < 4; ++i) pool.Add(Id(i), ToBytes("x"), 10);
  int seen = 0;
  pool.ForEach([&](RequestPool::Request& r) {
    r.last_forward = 99;  // the visitor may update times
    return ++seen < 2;
  });
  CHECK(seen == 2);
  std::vector<TimeMs> forwards;
  pool.ForEach([&](const RequestPool::Request& r) {
    forwards.push_back(r.last_forward);
    return true;
  });
  CHECK(forwards == std::vector<TimeMs>{99, 99, 10, 10});
  pool.ResetArrivals(500);
  CHECK(pool.OldestArrival() == 500);
}

}  // namespace licenced::consensus
