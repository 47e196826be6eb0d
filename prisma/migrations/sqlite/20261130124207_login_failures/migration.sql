-- CreateTable
CREATE TABLE "LoginFailure" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "client" TEXT NOT NULL,
    "account" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "LoginFailure_client_createdAt_idx" ON "LoginFailure"("client", "createdAt");

-- CreateIndex
CREATE INDEX "LoginFailure_account_createdAt_idx" ON "LoginFailure"("account", "createdAt");

-- CreateIndex
CREATE INDEX "LoginFailure_createdAt_idx" ON "LoginFailure"("createdAt");
