// A private PostgreSQL cluster for a test file: the cluster code lives in src/dev/postgres.ts (the
// demo starts its orders database with it too); tests keep importing it from here.
export { postgresBinDir, startPostgres, type PostgresCluster } from '../../src/dev/postgres.ts';
