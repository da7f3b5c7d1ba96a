/**
 * The regions each provider offers (public region lists, early 2025), and for AWS how many
 * availability zones a new account can use in each (capped at 3: zone spreading never needs more).
 * A blueprint's region must be one of these; prices exist only for some (cost/prices.ts).
 */
import type { Provider } from './types.js';

// prettier-ignore
const AWS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-east-1', 'ap-south-1', 'ap-south-2', 'ap-southeast-1',
  'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7', 'ap-northeast-1',
  'ap-northeast-2', 'ap-northeast-3', 'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-west-1',
  'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1', 'il-central-1', 'me-south-1', 'me-central-1',
  'mx-central-1', 'sa-east-1',
];

/** AWS region → usable availability zones (min(actual, 3); us-west-1 offers new accounts two). */
export const AWS_ZONES: Readonly<Record<string, number>> = Object.fromEntries(
  AWS.map((r): [string, number] => [r, r === 'us-west-1' ? 2 : 3]),
);

// prettier-ignore
const AZURE = [
  'eastus', 'eastus2', 'centralus', 'northcentralus', 'southcentralus', 'westcentralus', 'westus', 'westus2',
  'westus3', 'canadacentral', 'canadaeast', 'brazilsouth', 'brazilsoutheast', 'mexicocentral', 'northeurope',
  'westeurope', 'uksouth', 'ukwest', 'francecentral', 'francesouth', 'germanywestcentral', 'germanynorth',
  'switzerlandnorth', 'switzerlandwest', 'norwayeast', 'norwaywest', 'swedencentral', 'polandcentral', 'italynorth',
  'spaincentral', 'eastasia', 'southeastasia', 'japaneast', 'japanwest', 'koreacentral', 'koreasouth',
  'centralindia', 'southindia', 'westindia', 'australiaeast', 'australiasoutheast', 'australiacentral',
  'australiacentral2', 'uaenorth', 'uaecentral', 'southafricanorth', 'southafricawest', 'qatarcentral',
  'israelcentral', 'newzealandnorth',
];

// prettier-ignore
const GCP = [
  'us-central1', 'us-east1', 'us-east4', 'us-east5', 'us-south1', 'us-west1', 'us-west2', 'us-west3', 'us-west4',
  'northamerica-northeast1', 'northamerica-northeast2', 'northamerica-south1', 'southamerica-east1',
  'southamerica-west1', 'europe-central2', 'europe-north1', 'europe-north2', 'europe-southwest1', 'europe-west1',
  'europe-west2', 'europe-west3', 'europe-west4', 'europe-west6', 'europe-west8', 'europe-west9', 'europe-west10',
  'europe-west12', 'me-central1', 'me-central2', 'me-west1', 'asia-east1', 'asia-east2', 'asia-northeast1',
  'asia-northeast2', 'asia-northeast3', 'asia-south1', 'asia-south2', 'asia-southeast1', 'asia-southeast2',
  'australia-southeast1', 'australia-southeast2', 'africa-south1',
];

/** Every region of each provider. */
export const REGIONS: Readonly<Record<Provider, ReadonlySet<string>>> = {
  aws: new Set(Object.keys(AWS_ZONES)),
  azure: new Set(AZURE),
  gcp: new Set(GCP),
};

/** Availability zones generated code may spread over in `region` (AWS), at least 2. */
export function zoneCount(region: string): number {
  return AWS_ZONES[region] ?? 3;
}
