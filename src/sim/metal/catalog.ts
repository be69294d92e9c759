/**
 * The simulator's catalogue: metros, facilities, plans and operating systems, modelled on what the real API listed
 * before the sunset. Ids are stable across runs (derived from the code/slug), so fixtures can hard-code them.
 */
import { stableUuid } from "./ids.ts";

/** A metro (`GET /locations/metros`). */
export interface CatalogMetro {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly country: string;
}

/** Enum of `Facility.features` (strict in the Go SDK). */
export type FacilityFeature = "baremetal" | "backend_transfer" | "layer_2" | "global_ipv4" | "ibx";

/** A facility (data centre) inside a metro. */
export interface CatalogFacility {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly metro: string;
  readonly features: readonly FacilityFeature[];
  readonly ipRanges: readonly string[];
  readonly address: { address: string; city: string; state?: string; country: string; zip_code: string };
}

/** A server plan. `metros` lists where it is sold on demand (empty for legacy plans). */
export interface CatalogPlan {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly class: string;
  readonly line: string;
  readonly type: "standard" | "workload_optimized" | "custom";
  readonly categories: readonly string[];
  readonly description: string;
  readonly priceHour: number;
  readonly legacy: boolean;
  readonly metros: readonly string[];
  readonly specs: {
    cpus: { count: number; type: string }[];
    memory: { total: string };
    drives: { count: number; type: string; size: string; category: string }[];
    nics: { count: number; type: string }[];
    features: { raid: boolean; txt: boolean; uefi: boolean };
  };
}

/** An operating system image. `provisionableOn` lists plan slugs. */
export interface CatalogOperatingSystem {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly distro: string;
  readonly distroLabel: string;
  readonly version: string;
  readonly provisionableOn: readonly string[];
  readonly preinstallable: boolean;
  readonly licensed: boolean;
  readonly defaultOperatingSystem: boolean;
}

const METRO_ROWS: Array<[string, string, string]> = [
  ["am", "Amsterdam", "NL"],
  ["at", "Atlanta", "US"],
  ["ch", "Chicago", "US"],
  ["da", "Dallas", "US"],
  ["dc", "Washington DC", "US"],
  ["fr", "Frankfurt", "DE"],
  ["hk", "Hong Kong", "HK"],
  ["la", "Los Angeles", "US"],
  ["ld", "London", "GB"],
  ["md", "Madrid", "ES"],
  ["ml", "Milan", "IT"],
  ["mt", "Montreal", "CA"],
  ["ny", "New York", "US"],
  ["pa", "Paris", "FR"],
  ["se", "Seattle", "US"],
  ["sg", "Singapore", "SG"],
  ["sk", "Stockholm", "SE"],
  ["sl", "Seoul", "KR"],
  ["sp", "São Paulo", "BR"],
  ["sv", "Silicon Valley", "US"],
  ["sy", "Sydney", "AU"],
  ["ty", "Tokyo", "JP"],
  ["tr", "Toronto", "CA"],
  ["ho", "Houston", "US"],
];

/** Every metro, in the order `GET /locations/metros` lists them. */
export const METROS: readonly CatalogMetro[] = METRO_ROWS.map(([code, name, country]) => ({
  id: stableUuid(`metal-sim/metro/${code}`),
  code,
  name,
  country,
}));

const ALL_FEATURES: FacilityFeature[] = ["baremetal", "backend_transfer", "layer_2", "global_ipv4", "ibx"];
const BASIC_FEATURES: FacilityFeature[] = ["baremetal", "layer_2"];

const FACILITY_ROWS: Array<[string, string, string, FacilityFeature[], string, string, string]> = [
  // code, name, metro, features, street, city, zip
  ["ny5", "New York 5", "ny", ALL_FEATURES, "800 Secaucus Road", "Secaucus", "07094"],
  ["ny7", "New York 7", "ny", ALL_FEATURES, "101 Possumtown Road", "Piscataway", "08854"],
  [
    "ewr1",
    "Parsippany, NJ",
    "ny",
    ["baremetal", "backend_transfer", "global_ipv4"],
    "100 Delawanna Ave",
    "Clifton",
    "07014",
  ],
  ["sv15", "Silicon Valley 15", "sv", ALL_FEATURES, "1735 Lundy Ave", "San Jose", "95131"],
  ["sv16", "Silicon Valley 16", "sv", ALL_FEATURES, "2020 Fortune Dr", "San Jose", "95131"],
  ["da6", "Dallas 6", "da", ALL_FEATURES, "1950 N Stemmons Fwy", "Dallas", "75207"],
  ["da11", "Dallas 11", "da", ALL_FEATURES, "3000 Skyline Dr", "Mesquite", "75149"],
  ["dc10", "Washington DC 10", "dc", ALL_FEATURES, "21551 Beaumeade Circle", "Ashburn", "20147"],
  ["dc13", "Washington DC 13", "dc", ALL_FEATURES, "21701 Filigree Court", "Ashburn", "20147"],
  ["am6", "Amsterdam 6", "am", ALL_FEATURES, "Duivendrechtsekade 80A", "Amsterdam", "1096 AH"],
  ["am7", "Amsterdam 7", "am", BASIC_FEATURES, "Kuiperbergweg 13", "Amsterdam", "1101 AE"],
  ["fr2", "Frankfurt 2", "fr", ALL_FEATURES, "Kruppstrasse 121-127", "Frankfurt am Main", "60388"],
  ["fr8", "Frankfurt 8", "fr", BASIC_FEATURES, "Eschborner Landstrasse 100", "Frankfurt am Main", "60489"],
  ["sg1", "Singapore 1", "sg", ALL_FEATURES, "20 Ayer Rajah Crescent", "Singapore", "139964"],
  ["sg4", "Singapore 4", "sg", BASIC_FEATURES, "26A Ayer Rajah Crescent", "Singapore", "139963"],
  ["sy4", "Sydney 4", "sy", ALL_FEATURES, "200 Bourke Road", "Alexandria", "2015"],
  ["sy5", "Sydney 5", "sy", BASIC_FEATURES, "639 Gardeners Road", "Mascot", "2020"],
  ["ch3", "Chicago 3", "ch", ALL_FEATURES, "1905 Lunt Ave", "Elk Grove Village", "60007"],
  ["la4", "Los Angeles 4", "la", ALL_FEATURES, "445 N Douglas St", "El Segundo", "90245"],
  ["ld7", "London 7", "ld", ALL_FEATURES, "Centro Business Park", "Slough", "SL1 4AX"],
  ["pa4", "Paris 4", "pa", ALL_FEATURES, "10 Rue Waldeck Rochet", "Saint-Denis", "93200"],
  ["md2", "Madrid 2", "md", BASIC_FEATURES, "Calle de Valgrande 6", "Alcobendas", "28108"],
  ["ml1", "Milan 1", "ml", BASIC_FEATURES, "Via Savona 125", "Milano", "20144"],
  ["mt1", "Montreal 1", "mt", BASIC_FEATURES, "7171 Jean-Talon E", "Montreal", "H1M 3N2"],
  ["se4", "Seattle 4", "se", ALL_FEATURES, "2020 5th Ave", "Seattle", "98121"],
  ["hk2", "Hong Kong 2", "hk", BASIC_FEATURES, "17 Dai Hei Street", "Tai Po", "000000"],
  ["sl1", "Seoul 1", "sl", BASIC_FEATURES, "47 Sangam-ro", "Seoul", "03925"],
  ["sp4", "São Paulo 4", "sp", BASIC_FEATURES, "Av. Ceci 1900", "Barueri", "06460-120"],
  ["sk2", "Stockholm 2", "sk", BASIC_FEATURES, "Esbogatan 11", "Kista", "164 74"],
  ["ty11", "Tokyo 11", "ty", ALL_FEATURES, "2-7-17 Shinsuna", "Koto-ku", "136-0075"],
  ["tr2", "Toronto 2", "tr", BASIC_FEATURES, "45 Parliament St", "Toronto", "M5A 0G7"],
  ["at4", "Atlanta 4", "at", BASIC_FEATURES, "180 Peachtree St NW", "Atlanta", "30303"],
  ["ho1", "Houston 1", "ho", BASIC_FEATURES, "5150 Westway Park Blvd", "Houston", "77041"],
];

/** Every facility, grouped by metro in catalogue order. */
export const FACILITIES: readonly CatalogFacility[] = FACILITY_ROWS.map((
  [code, name, metro, features, street, city, zip],
  i,
) => ({
  id: stableUuid(`metal-sim/facility/${code}`),
  code,
  name,
  metro,
  features,
  ipRanges: [`2604:1380:${(0x4000 + i * 16).toString(16)}::/36`, `147.75.${(i * 8) % 256}.0/21`],
  address: {
    address: street,
    city,
    country: METRO_ROWS.find((m) => m[0] === metro)![2],
    zip_code: zip,
  },
}));

const US_EU = ["ny", "sv", "da", "dc", "am", "fr", "ch", "la", "ld", "pa", "se", "at"];
const WORLD = METROS.map((m) => m.code);

function plan(
  slug: string,
  opts: {
    line?: string;
    type?: CatalogPlan["type"];
    categories: string[];
    description: string;
    priceHour: number;
    metros: readonly string[];
    legacy?: boolean;
    cpu: { count: number; type: string };
    memory: string;
    drives: CatalogPlan["specs"]["drives"];
    nics: { count: number; type: string };
  },
): CatalogPlan {
  return {
    id: stableUuid(`metal-sim/plan/${slug}`),
    slug,
    name: slug,
    class: slug,
    line: opts.line ?? "baremetal",
    type: opts.type ?? "standard",
    categories: opts.categories,
    description: opts.description,
    priceHour: opts.priceHour,
    legacy: opts.legacy ?? false,
    metros: opts.metros,
    specs: {
      cpus: [opts.cpu],
      memory: { total: opts.memory },
      drives: opts.drives,
      nics: [opts.nics],
      features: { raid: true, txt: true, uefi: true },
    },
  };
}

/** Every plan, in the order `GET /plans` lists them. */
export const PLANS: readonly CatalogPlan[] = [
  plan("c3.small.x86", {
    categories: ["compute", "current_gen"],
    description: "Our c3.small.x86 is a cost-effective, single socket workhorse for small workloads.",
    priceHour: 0.75,
    metros: WORLD,
    cpu: { count: 1, type: "Intel Xeon E-2278G 8-Core Processor @ 3.40GHz" },
    memory: "32GB",
    drives: [{ count: 2, type: "SSD", size: "480GB", category: "boot" }],
    nics: { count: 2, type: "10Gbps" },
  }),
  plan("c3.medium.x86", {
    categories: ["compute", "current_gen"],
    description: "Our c3.medium.x86 is a single socket, 24-core AMD EPYC server for general workloads.",
    priceHour: 1.5,
    metros: WORLD,
    cpu: { count: 1, type: "AMD EPYC 7402P 24-Core Processor @ 2.8GHz" },
    memory: "64GB",
    drives: [{ count: 2, type: "SSD", size: "240GB", category: "boot" }, {
      count: 2,
      type: "SSD",
      size: "480GB",
      category: "storage",
    }],
    nics: { count: 2, type: "10Gbps" },
  }),
  plan("c3.large.arm64", {
    categories: ["compute", "current_gen"],
    description: "Our c3.large.arm64 is an 80-core Ampere Altra server for Arm-native workloads.",
    priceHour: 2.5,
    metros: ["da", "dc", "ny", "sv"],
    cpu: { count: 1, type: "Ampere Altra Q80-30 80-core processor @ 2.8GHz" },
    memory: "256GB",
    drives: [{ count: 2, type: "NVME", size: "960GB", category: "boot" }],
    nics: { count: 2, type: "25Gbps" },
  }),
  plan("m3.small.x86", {
    categories: ["compute", "current_gen"],
    description: "Our m3.small.x86 is a compact, single socket server with plenty of memory.",
    priceHour: 1.05,
    metros: US_EU.concat(["sg", "sy", "ty"]),
    cpu: { count: 1, type: "Intel Xeon E-2378G 8-Core Processor @ 2.80GHz" },
    memory: "64GB",
    drives: [{ count: 2, type: "SSD", size: "480GB", category: "boot" }],
    nics: { count: 2, type: "25Gbps" },
  }),
  plan("m3.large.x86", {
    categories: ["compute", "current_gen"],
    description: "Our m3.large.x86 is a dual socket AMD EPYC server for memory-hungry workloads.",
    priceHour: 3.1,
    metros: WORLD,
    cpu: { count: 1, type: "AMD EPYC 7502P 32-Core Processor @ 2.5GHz" },
    memory: "256GB",
    drives: [{ count: 2, type: "NVME", size: "3.8TB", category: "storage" }, {
      count: 2,
      type: "SSD",
      size: "240GB",
      category: "boot",
    }],
    nics: { count: 2, type: "25Gbps" },
  }),
  plan("n3.xlarge.x86", {
    type: "workload_optimized",
    categories: ["compute", "current_gen"],
    description: "Our n3.xlarge.x86 is a network-optimised dual socket server.",
    priceHour: 4.5,
    metros: ["ny", "sv", "da", "dc", "am", "fr"],
    cpu: { count: 2, type: "Intel Xeon Gold 6314U 32-Core Processor @ 2.30GHz" },
    memory: "512GB",
    drives: [{ count: 2, type: "NVME", size: "3.8TB", category: "storage" }, {
      count: 2,
      type: "SSD",
      size: "240GB",
      category: "boot",
    }],
    nics: { count: 4, type: "25Gbps" },
  }),
  plan("s3.xlarge.x86", {
    type: "workload_optimized",
    categories: ["storage", "current_gen"],
    description: "Our s3.xlarge.x86 is a storage server with large HDD capacity and NVMe cache.",
    priceHour: 2.95,
    metros: ["ny", "da", "am", "fr", "sv"],
    cpu: { count: 2, type: "Intel Xeon Silver 4214 12-Core Processor @ 2.20GHz" },
    memory: "192GB",
    drives: [{ count: 12, type: "HDD", size: "8TB", category: "storage" }, {
      count: 2,
      type: "NVME",
      size: "960GB",
      category: "cache",
    }],
    nics: { count: 2, type: "25Gbps" },
  }),
  plan("t1.small.x86", {
    categories: ["compute", "legacy_gen"],
    description: "Our t1.small.x86 was the original Type 0 server; it is no longer sold on demand.",
    priceHour: 0.07,
    metros: [],
    legacy: true,
    cpu: { count: 1, type: "Intel Atom C2550 @ 2.4Ghz" },
    memory: "8GB",
    drives: [{ count: 1, type: "SSD", size: "80GB", category: "boot" }],
    nics: { count: 2, type: "1Gbps" },
  }),
];

const CURRENT_X86 = PLANS.filter((p) => !p.legacy && p.slug.endsWith(".x86")).map((p) => p.slug);
const CURRENT_ALL = PLANS.filter((p) => !p.legacy).map((p) => p.slug);

function os(
  slug: string,
  name: string,
  distro: string,
  distroLabel: string,
  version: string,
  provisionableOn: readonly string[],
  extra: { preinstallable?: boolean; defaultOs?: boolean } = {},
): CatalogOperatingSystem {
  return {
    id: stableUuid(`metal-sim/os/${slug}`),
    slug,
    name,
    distro,
    distroLabel,
    version,
    provisionableOn,
    preinstallable: extra.preinstallable ?? false,
    licensed: false,
    defaultOperatingSystem: extra.defaultOs ?? false,
  };
}

/** Every operating system, in the order `GET /operating-systems` lists them. */
export const OPERATING_SYSTEMS: readonly CatalogOperatingSystem[] = [
  os("flatcar_stable", "Flatcar Container Linux (stable)", "flatcar", "Flatcar", "stable", CURRENT_ALL),
  os("flatcar_beta", "Flatcar Container Linux (beta)", "flatcar", "Flatcar", "beta", CURRENT_ALL),
  os("ubuntu_20_04", "Ubuntu 20.04 LTS", "ubuntu", "Ubuntu", "20.04", CURRENT_X86),
  os("ubuntu_22_04", "Ubuntu 22.04 LTS", "ubuntu", "Ubuntu", "22.04", CURRENT_ALL, { defaultOs: true }),
  os("ubuntu_24_04", "Ubuntu 24.04 LTS", "ubuntu", "Ubuntu", "24.04", CURRENT_ALL),
  os("debian_12", "Debian 12", "debian", "Debian", "12", CURRENT_ALL),
  os("rocky_9", "Rocky Linux 9", "rocky", "Rocky Linux", "9", CURRENT_X86),
  os("alpine_3", "Alpine 3", "alpine", "Alpine", "3", CURRENT_X86),
  os("custom_ipxe", "Custom iPXE", "custom_ipxe", "Custom iPXE", "1", CURRENT_ALL),
];

const metroByCode = new Map(METROS.map((m) => [m.code, m]));
const metroById = new Map(METROS.map((m) => [m.id, m]));
const facilityByCode = new Map(FACILITIES.map((f) => [f.code, f]));
const planBySlug = new Map(PLANS.map((p) => [p.slug, p]));
const planById = new Map(PLANS.map((p) => [p.id, p]));
const osBySlug = new Map(OPERATING_SYSTEMS.map((o) => [o.slug, o]));

/** Finds a metro by code (case-insensitive, as the API matches it) or by id. */
export function findMetro(codeOrId: string): CatalogMetro | undefined {
  return metroByCode.get(codeOrId.toLowerCase()) ?? metroById.get(codeOrId.toLowerCase());
}

/** Finds a facility by code (case-insensitive) or id. */
export function findFacility(codeOrId: string): CatalogFacility | undefined {
  const key = codeOrId.toLowerCase();
  return facilityByCode.get(key) ?? FACILITIES.find((f) => f.id === key);
}

/** Finds a plan by slug or id. */
export function findPlan(slugOrId: string): CatalogPlan | undefined {
  return planBySlug.get(slugOrId) ?? planById.get(slugOrId);
}

/** Finds an operating system by slug. */
export function findOperatingSystem(slug: string): CatalogOperatingSystem | undefined {
  return osBySlug.get(slug);
}

/** The facilities of a metro, in catalogue order. */
export function facilitiesOf(metroCode: string): CatalogFacility[] {
  return FACILITIES.filter((f) => f.metro === metroCode);
}

/** The metro a facility belongs to. */
export function metroOf(facility: CatalogFacility): CatalogMetro {
  return metroByCode.get(facility.metro)!;
}
