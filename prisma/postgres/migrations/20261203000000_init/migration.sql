-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Program" (
    "id" TEXT NOT NULL,
    "brandName" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "frequencyText" TEXT NOT NULL,
    "frequencyCapCount" INTEGER,
    "frequencyCapHours" INTEGER,
    "helpContact" TEXT NOT NULL,
    "termsUrl" TEXT NOT NULL,
    "termsVersion" TEXT NOT NULL,
    "privacyUrl" TEXT NOT NULL,
    "privacyVersion" TEXT NOT NULL,
    "senderType" TEXT NOT NULL,
    "senderValue" TEXT,
    "allowedCountries" TEXT NOT NULL,
    "languages" TEXT NOT NULL,
    "doubleOptIn" BOOLEAN NOT NULL DEFAULT true,
    "confirmationWindowHours" INTEGER NOT NULL DEFAULT 72,
    "reminderEveryDays" INTEGER NOT NULL DEFAULT 30,
    "reminderEveryMessages" INTEGER,
    "reminderMode" TEXT NOT NULL DEFAULT 'standalone',
    "quietHoursStart" TEXT,
    "quietHoursEnd" TEXT,
    "messagesPerSecond" DOUBLE PRECISION,
    "category" TEXT NOT NULL DEFAULT 'marketing',
    "minimumAge" INTEGER,
    "segmentLimit" INTEGER NOT NULL DEFAULT 3,
    "keywords" TEXT NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Program_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Subscriber" (
    "id" TEXT NOT NULL,
    "programId" TEXT NOT NULL,
    "phoneHash" TEXT NOT NULL,
    "phoneE164" TEXT,
    "workflowId" TEXT NOT NULL,
    "country" TEXT NOT NULL,
    "region" TEXT,
    "zip" TEXT,
    "timeZones" TEXT NOT NULL,
    "zoneBasis" TEXT NOT NULL,
    "numberType" TEXT,
    "language" TEXT NOT NULL DEFAULT 'en',
    "consentState" TEXT NOT NULL DEFAULT 'new',
    "consentType" TEXT,
    "consentSource" TEXT,
    "consentAt" TIMESTAMP(3),
    "confirmedAt" TIMESTAMP(3),
    "optedOutAt" TIMESTAMP(3),
    "purchaseAt" TIMESTAMP(3),
    "inquiryAt" TIMESTAMP(3),
    "birthdate" TEXT,
    "termsVersion" TEXT,
    "privacyVersion" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "erasedAt" TIMESTAMP(3),

    CONSTRAINT "Subscriber_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsentEvent" (
    "id" TEXT NOT NULL,
    "subscriberId" TEXT NOT NULL,
    "programId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "eventKey" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "recordedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source" TEXT NOT NULL,
    "evidence" TEXT NOT NULL DEFAULT '{}',
    "personalHash" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "ConsentEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsentEvidence" (
    "eventId" TEXT NOT NULL,
    "personal" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConsentEvidence_pkey" PRIMARY KEY ("eventId")
);

-- CreateTable
CREATE TABLE "OutboundMessage" (
    "id" TEXT NOT NULL,
    "messageKey" TEXT NOT NULL,
    "subscriberId" TEXT NOT NULL,
    "programId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "body" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "carrier" TEXT,
    "providerSid" TEXT,
    "errorCode" TEXT,
    "errorReason" TEXT,
    "encoding" TEXT,
    "segments" INTEGER,
    "lintWarnings" TEXT NOT NULL DEFAULT '[]',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "campaignId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OutboundMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InboundMessage" (
    "id" TEXT NOT NULL,
    "providerSid" TEXT NOT NULL,
    "programId" TEXT,
    "subscriberId" TEXT,
    "fromHash" TEXT NOT NULL,
    "toNumber" TEXT,
    "body" TEXT,
    "keyword" TEXT,
    "optOutType" TEXT,
    "numMedia" INTEGER NOT NULL DEFAULT 0,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "InboundMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeliveryReceipt" (
    "id" TEXT NOT NULL,
    "providerSid" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "errorCode" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeliveryReceipt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Suppression" (
    "id" TEXT NOT NULL,
    "programId" TEXT NOT NULL,
    "phoneHash" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Suppression_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IdempotencyRecord" (
    "key" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "statusCode" INTEGER NOT NULL,
    "responseBody" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IdempotencyRecord_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "ImportJob" (
    "id" TEXT NOT NULL,
    "programId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "totalRows" INTEGER NOT NULL DEFAULT 0,
    "imported" INTEGER NOT NULL DEFAULT 0,
    "rejected" INTEGER NOT NULL DEFAULT 0,
    "duplicates" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "error" TEXT,

    CONSTRAINT "ImportJob_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ImportRowError" (
    "id" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "row" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "ImportRowError_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" TEXT NOT NULL,
    "programId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "steps" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "workflowId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PolicyChange" (
    "id" TEXT NOT NULL,
    "programId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "material" BOOLEAN NOT NULL,
    "workflowId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PolicyChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SimulatedMessage" (
    "sid" TEXT NOT NULL,
    "toNumber" TEXT NOT NULL,
    "fromValue" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SimulatedMessage_pkey" PRIMARY KEY ("sid")
);

-- CreateIndex
CREATE UNIQUE INDEX "Subscriber_workflowId_key" ON "Subscriber"("workflowId");

-- CreateIndex
CREATE INDEX "Subscriber_programId_consentState_idx" ON "Subscriber"("programId", "consentState");

-- CreateIndex
CREATE UNIQUE INDEX "Subscriber_programId_phoneHash_key" ON "Subscriber"("programId", "phoneHash");

-- CreateIndex
CREATE UNIQUE INDEX "ConsentEvent_eventKey_key" ON "ConsentEvent"("eventKey");

-- CreateIndex
CREATE INDEX "ConsentEvent_programId_type_idx" ON "ConsentEvent"("programId", "type");

-- CreateIndex
CREATE UNIQUE INDEX "ConsentEvent_subscriberId_seq_key" ON "ConsentEvent"("subscriberId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "OutboundMessage_messageKey_key" ON "OutboundMessage"("messageKey");

-- CreateIndex
CREATE UNIQUE INDEX "OutboundMessage_providerSid_key" ON "OutboundMessage"("providerSid");

-- CreateIndex
CREATE INDEX "OutboundMessage_subscriberId_createdAt_idx" ON "OutboundMessage"("subscriberId", "createdAt");

-- CreateIndex
CREATE INDEX "OutboundMessage_programId_status_idx" ON "OutboundMessage"("programId", "status");

-- CreateIndex
CREATE INDEX "OutboundMessage_campaignId_status_idx" ON "OutboundMessage"("campaignId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "InboundMessage_providerSid_key" ON "InboundMessage"("providerSid");

-- CreateIndex
CREATE INDEX "InboundMessage_subscriberId_receivedAt_idx" ON "InboundMessage"("subscriberId", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "DeliveryReceipt_providerSid_status_key" ON "DeliveryReceipt"("providerSid", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Suppression_programId_phoneHash_key" ON "Suppression"("programId", "phoneHash");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_prefix_key" ON "ApiKey"("prefix");

-- CreateIndex
CREATE INDEX "ImportRowError_jobId_row_idx" ON "ImportRowError"("jobId", "row");

-- CreateIndex
CREATE UNIQUE INDEX "PolicyChange_programId_kind_version_key" ON "PolicyChange"("programId", "kind", "version");

-- AddForeignKey
ALTER TABLE "Subscriber" ADD CONSTRAINT "Subscriber_programId_fkey" FOREIGN KEY ("programId") REFERENCES "Program"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsentEvent" ADD CONSTRAINT "ConsentEvent_subscriberId_fkey" FOREIGN KEY ("subscriberId") REFERENCES "Subscriber"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutboundMessage" ADD CONSTRAINT "OutboundMessage_subscriberId_fkey" FOREIGN KEY ("subscriberId") REFERENCES "Subscriber"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InboundMessage" ADD CONSTRAINT "InboundMessage_subscriberId_fkey" FOREIGN KEY ("subscriberId") REFERENCES "Subscriber"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImportJob" ADD CONSTRAINT "ImportJob_programId_fkey" FOREIGN KEY ("programId") REFERENCES "Program"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImportRowError" ADD CONSTRAINT "ImportRowError_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "ImportJob"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Campaign" ADD CONSTRAINT "Campaign_programId_fkey" FOREIGN KEY ("programId") REFERENCES "Program"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PolicyChange" ADD CONSTRAINT "PolicyChange_programId_fkey" FOREIGN KEY ("programId") REFERENCES "Program"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

