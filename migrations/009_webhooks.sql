-- Webhooks: endpoints an admin registers, and a transactional outbox. An event row is written in
-- the same transaction as the change it describes, with one delivery row per subscribed endpoint;
-- any service process then claims due deliveries (FOR UPDATE SKIP LOCKED) and sends them.
CREATE TABLE webhooks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  url text NOT NULL,
  events text[] NOT NULL,
  -- Kept as given: the HMAC needs the secret itself, so it cannot be hashed like an API key.
  secret text NOT NULL,
  paused boolean NOT NULL DEFAULT false,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  type text NOT NULL,
  -- IDs and statuses only, never names or photos.
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
  id bigserial PRIMARY KEY,
  webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event_id uuid NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  -- When a pending delivery is next due; a claim pushes it past the send's timeout (a lease), so a
  -- process that dies mid-send leaves it to be retried by another.
  next_attempt_at timestamptz DEFAULT now(),
  -- Set by each claim: only the claimant may record the outcome.
  claim uuid,
  last_attempt_at timestamptz,
  last_status_code integer,
  last_error text,
  delivered_at timestamptz,
  UNIQUE (webhook_id, event_id)
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
