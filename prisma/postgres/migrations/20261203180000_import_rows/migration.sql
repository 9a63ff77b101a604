-- Import rows that passed the consent checks, waiting for their opt-in.
CREATE TABLE "ImportRow" (
    "jobId" TEXT NOT NULL,
    "row" INTEGER NOT NULL,
    "input" TEXT NOT NULL,

    CONSTRAINT "ImportRow_pkey" PRIMARY KEY ("jobId","row")
);
