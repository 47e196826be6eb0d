// schema.prisma is written for SQLite; the PostgreSQL client and migrations
// use the same models with the provider and output swapped.
export function postgresSchema(text) {
  return text
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('output       = "./generated/sqlite"', 'output       = "./postgres"');
}
