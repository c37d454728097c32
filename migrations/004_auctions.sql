-- Which auctions each pool has had, and whether they settled, fed by the auctions projection from
-- auction- streams: `GET /auctions?status=settled` lists them long after the liquidation engine has
-- seen them through. The auction itself is read from its stream.
CREATE TABLE auctions (
  auction_id  text PRIMARY KEY,
  pool_id     text NOT NULL,
  position_id text NOT NULL,
  status      text NOT NULL,
  started_at  bigint NOT NULL,
  settled_at  bigint
);
CREATE INDEX auctions_by_pool_and_status ON auctions (pool_id, status, settled_at DESC);
CREATE INDEX auctions_by_status ON auctions (status, settled_at DESC);
