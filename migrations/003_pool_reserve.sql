-- The protocol reserve and the bad debt it could not cover (borne by lenders), per pool, from
-- LiquidationAccounted. Smallest units of the debt asset.
ALTER TABLE pools ADD COLUMN reserve numeric NOT NULL DEFAULT 0;
ALTER TABLE pools ADD COLUMN socialized_loss numeric NOT NULL DEFAULT 0;
