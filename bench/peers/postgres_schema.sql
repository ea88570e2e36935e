-- PostgreSQL as an event store, the Message DB / Marten table pattern: one row per event,
-- a global position, a per-stream position kept gapless by one INSERT at expected + 1.
CREATE TABLE messages (
  global_position bigserial PRIMARY KEY,
  stream_name text NOT NULL,
  position bigint NOT NULL,
  type text NOT NULL,
  data jsonb,
  metadata jsonb,
  time timestamptz NOT NULL DEFAULT now(),
  id uuid NOT NULL UNIQUE,
  UNIQUE (stream_name, position)
);

-- Message DB's write_message, reduced to what the benchmark exercises: serialise writers of one
-- stream with a transaction-scoped advisory lock, read the stream's version, check the expected
-- version when one is given, insert at version + 1. Positions start at 1 as contrack's versions do.
CREATE FUNCTION write_message(_id uuid, _stream_name text, _type text, _data jsonb,
                              _metadata jsonb DEFAULT NULL, _expected_version bigint DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  _version bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(_stream_name, 0));
  SELECT coalesce(max(position), 0) INTO _version FROM messages WHERE stream_name = _stream_name;
  IF _expected_version IS NOT NULL AND _expected_version <> _version THEN
    RAISE EXCEPTION 'Wrong expected version: % (stream: %, stream version: %)',
      _expected_version, _stream_name, _version;
  END IF;
  INSERT INTO messages (id, stream_name, position, type, data, metadata)
    VALUES (_id, _stream_name, _version + 1, _type, _data, _metadata);
  RETURN _version + 1;
END $$;
