/**
 * Command-line entry the MCP conformance suite runs for its auth scenarios:
 *   npx conformance client --command "node --import tsx test/conformance/auth-client.ts" --suite auth
 * The suite appends the server URL. The OAuth client is Gatehouse's own (main/upstream/oauth/).
 */
import { runConformanceClient } from '../../main/upstream/oauth/conformance-client.js';

/** The Client ID Metadata Document URL the suite's basic-cimd scenario expects as client_id. */
const CONFORMANCE_CIMD_URL = 'https://conformance-test.local/client-metadata.json';

const serverUrl = process.argv[2];
if (!serverUrl) {
  console.error('usage: auth-client.ts <server-url>  (the conformance suite appends it)');
  process.exit(2);
}
process.exitCode = await runConformanceClient(serverUrl, { clientMetadataUrl: CONFORMANCE_CIMD_URL });
