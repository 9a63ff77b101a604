-- The consent ledger is append-only: the database itself refuses edits.
CREATE TRIGGER "ConsentEvent_no_update" BEFORE UPDATE ON "ConsentEvent"
BEGIN
  SELECT RAISE(ABORT, 'ConsentEvent is append-only');
END;

CREATE TRIGGER "ConsentEvent_no_delete" BEFORE DELETE ON "ConsentEvent"
BEGIN
  SELECT RAISE(ABORT, 'ConsentEvent is append-only');
END;
