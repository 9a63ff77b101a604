-- The consent ledger is append-only: the database itself refuses edits.
CREATE FUNCTION "consent_event_append_only"() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'ConsentEvent is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "ConsentEvent_no_update_delete" BEFORE UPDATE OR DELETE ON "ConsentEvent"
  FOR EACH ROW EXECUTE FUNCTION "consent_event_append_only"();

CREATE TRIGGER "ConsentEvent_no_truncate" BEFORE TRUNCATE ON "ConsentEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION "consent_event_append_only"();
