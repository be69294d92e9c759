/**
 * An in-test driver like MCM's `driver/fake.go`: VMs in a map, idempotent create by machine name, programmable
 * errors per call, and a log of every call (with the user data it received) for assertions.
 */
import {
  type CreateMachineResponse,
  type DeleteMachineResponse,
  type Driver,
  type GetMachineStatusResponse,
  type GetVolumeIDsResponse,
  type InitializeMachineResponse,
  type ListMachinesRequest,
  type ListMachinesResponse,
  MachineError,
  type MachineRequest,
} from "../../../src/mcm/driver/driver.ts";
import { deviceIdFromProviderID } from "../../../src/mcm/driver/provider_id.ts";

export interface FakeVM {
  id: string;
  name: string;
  providerID: string;
  userData: string;
}

type Op = "create" | "delete" | "status" | "list" | "init";

/** A programmable fake driver. */
export class FakeDriver implements Driver {
  vms = new Map<string, FakeVM>();
  calls: Array<{ op: Op; machine?: string; providerID?: string }> = [];
  /** Errors to throw, per operation: a queue consumed one per call, or a function. */
  errors: Partial<Record<Op, Array<MachineError | Error> | ((req: MachineRequest) => Error | undefined)>> = {};
  /** Node name the driver reports (default: the machine name). */
  nodeNameFor: (machine: string) => string = (m) => m;
  private seq = 0;

  private fail(op: Op, req: MachineRequest | undefined): void {
    const e = this.errors[op];
    if (!e) return;
    if (typeof e === "function") {
      const err = req ? e(req) : undefined;
      if (err) throw err;
      return;
    }
    const next = e.shift();
    if (next) throw next;
  }

  /** Adds a VM as if created earlier (e.g. an orphan). */
  addVM(name: string, id = this.newId()): FakeVM {
    const vm = { id, name, providerID: `equinixmetal://ny/${id}`, userData: "" };
    this.vms.set(id, vm);
    return vm;
  }

  count(op: Op, machine?: string): number {
    return this.calls.filter((c) => c.op === op && (machine === undefined || c.machine === machine)).length;
  }

  private newId(): string {
    const n = (++this.seq).toString(16).padStart(12, "0");
    return `00000000-0000-4000-8000-${n}`;
  }

  createMachine(req: MachineRequest): Promise<CreateMachineResponse> {
    this.calls.push({ op: "create", machine: req.machine.name });
    this.fail("create", req);
    let vm = [...this.vms.values()].find((v) => v.name === req.machine.name);
    if (!vm) {
      vm = this.addVM(req.machine.name);
      vm.userData = req.secret.userData ?? "";
    }
    return Promise.resolve({ providerID: vm.providerID, nodeName: this.nodeNameFor(req.machine.name) });
  }

  deleteMachine(req: MachineRequest): Promise<DeleteMachineResponse> {
    this.calls.push({ op: "delete", machine: req.machine.name, providerID: req.machine.providerID });
    this.fail("delete", req);
    const id = deviceIdFromProviderID(req.machine.providerID);
    if (id) this.vms.delete(id);
    return Promise.resolve({});
  }

  getMachineStatus(req: MachineRequest): Promise<GetMachineStatusResponse> {
    this.calls.push({ op: "status", machine: req.machine.name, providerID: req.machine.providerID });
    this.fail("status", req);
    const id = deviceIdFromProviderID(req.machine.providerID);
    const vm = id ? this.vms.get(id) : undefined;
    if (!vm) throw new MachineError("NotFound", `VM of machine ${req.machine.name} not found`);
    return Promise.resolve({ providerID: vm.providerID, nodeName: this.nodeNameFor(req.machine.name) });
  }

  listMachines(_req: ListMachinesRequest): Promise<ListMachinesResponse> {
    this.calls.push({ op: "list" });
    this.fail("list", undefined);
    return Promise.resolve({
      machineList: Object.fromEntries([...this.vms.values()].map((v) => [v.providerID, v.name])),
    });
  }

  getVolumeIDs(): Promise<GetVolumeIDsResponse> {
    return Promise.reject(new MachineError("Unimplemented", "the fake driver has no volumes"));
  }

  initializeMachine(req: MachineRequest): Promise<InitializeMachineResponse> {
    this.calls.push({ op: "init", machine: req.machine.name });
    this.fail("init", req);
    return Promise.reject(new MachineError("Unimplemented", "no initialization"));
  }
}
