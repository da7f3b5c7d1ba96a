import { apiSuite } from './suites/index.js';

// The full API suite against real PostgreSQL through real PgBouncer (transaction pooling).
apiSuite('API on PostgreSQL through PgBouncer', 'pgbouncer');
