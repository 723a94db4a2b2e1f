-- The tables the maintenance jobs touch, as the location backend defines them.
-- IF NOT EXISTS: against a database the backend already migrated, this is a no-op.

CREATE TABLE IF NOT EXISTS devices (
  device_id     uuid PRIMARY KEY,
  group_id      text NOT NULL,
  display_name  text,
  platform      text,
  fcm_token     text,
  active        boolean NOT NULL DEFAULT true,
  last_seen_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS idx_devices_group_id ON devices (group_id) WHERE active;

CREATE TABLE IF NOT EXISTS locations (
  id             bigserial PRIMARY KEY,
  device_id      uuid NOT NULL REFERENCES devices (device_id) ON DELETE CASCADE,
  latitude       double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
  longitude      double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
  accuracy       real NOT NULL CHECK (accuracy >= 0),
  altitude       double precision,
  bearing        real CHECK (bearing >= 0 AND bearing < 360),
  speed          real CHECK (speed >= 0),
  provider       text,
  battery_level  smallint CHECK (battery_level BETWEEN 0 AND 100),
  network_type   text,
  captured_at    timestamptz NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS idx_locations_device_captured ON locations (device_id, captured_at DESC);
CREATE INDEX IF NOT EXISTS idx_locations_created_at ON locations (created_at);

CREATE TABLE IF NOT EXISTS idempotency_keys (
  id             bigserial PRIMARY KEY,
  key_hash       text NOT NULL UNIQUE,
  device_id      uuid NOT NULL REFERENCES devices (device_id) ON DELETE CASCADE,
  response_body  jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_idempotency_keys_expires_at ON idempotency_keys (expires_at);
