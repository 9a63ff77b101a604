-- Evidence an API or import opt-in presented, waiting for the lifecycle to record it in the ledger.
CREATE TABLE "OptInEvidence" (
    "id" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "subscriberId" TEXT NOT NULL,
    "programId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "consentType" TEXT NOT NULL,
    "consentAt" TIMESTAMP(3) NOT NULL,
    "purchaseAt" TIMESTAMP(3),
    "inquiryAt" TIMESTAMP(3),
    "language" TEXT,
    "evidence" TEXT NOT NULL DEFAULT '{}',
    "personal" TEXT NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OptInEvidence_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "OptInEvidence_requestId_key" ON "OptInEvidence"("requestId");

CREATE INDEX "OptInEvidence_subscriberId_createdAt_idx" ON "OptInEvidence"("subscriberId", "createdAt");
