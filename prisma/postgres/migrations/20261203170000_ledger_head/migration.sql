-- Head of each subscriber's consent-ledger chain: detects a deleted tail.
ALTER TABLE "Subscriber" ADD COLUMN "ledgerSeq" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Subscriber" ADD COLUMN "ledgerHead" TEXT;
