-- Where each projection has got to in $all. Written in the same transaction as the rows it covers,
-- so after a crash a projection neither skips nor repeats an event.
CREATE TABLE projection_checkpoints (
  projection       text PRIMARY KEY,
  commit_position  bigint NOT NULL,
  prepare_position bigint NOT NULL,
  events_applied   bigint NOT NULL DEFAULT 0,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
