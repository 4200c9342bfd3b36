// UpdateTimeToLive and a DescribeTimeToLive that reflects it. dynalite has no
// UpdateTimeToLive and always describes TTL as DISABLED. The setting is kept
// per table incarnation (TableId), so a table deleted and created again under
// the same name starts with TTL disabled, as on AWS. Items are never expired:
// that is a known gap of the emulator (docs/local-aws.md).
import { validationException } from './api-error.js';
import { call, dynaliteValidations, type ActionValidation, type DynaliteStore, type DynaliteTable } from './internals.js';

const TABLE_NAME = { type: 'String', required: true, tableName: true, regex: '[a-zA-Z0-9_.-]+' };

const UPDATE: ActionValidation = {
  types: {
    TableName: TABLE_NAME,
    TimeToLiveSpecification: {
      type: 'FieldStruct<TimeToLiveSpecification>',
      notNull: true,
      children: {
        AttributeName: { type: 'String', notNull: true, lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 255 },
        Enabled: { type: 'Boolean', notNull: true },
      },
    },
  },
};

const DESCRIBE: ActionValidation = { types: { TableName: TABLE_NAME } };

interface TtlSetting {
  tableId: string | undefined;
  attributeName: string;
}

export class TimeToLiveSettings {
  /** Only enabled settings are kept; absence means DISABLED. */
  private readonly enabled = new Map<string, TtlSetting>();

  constructor(private readonly store: DynaliteStore) {}

  async update(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const data = validate(body, UPDATE, this.store);
    const spec = data.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean };
    // UpdateTimeToLive needs an ACTIVE table.
    const table = await call<DynaliteTable>((cb) => this.store.getTable(data.TableName as string, cb));
    const current = this.current(table);
    if (spec.Enabled) {
      if (current) throw validationException('TimeToLive is already enabled');
      this.enabled.set(table.TableName, { tableId: table.TableId, attributeName: spec.AttributeName });
    } else {
      if (!current) throw validationException('TimeToLive is already disabled');
      if (current.attributeName !== spec.AttributeName) {
        throw validationException(`TimeToLive is active on a different AttributeName: current AttributeName is ${current.attributeName}`);
      }
      this.enabled.delete(table.TableName);
    }
    return { TimeToLiveSpecification: { AttributeName: spec.AttributeName, Enabled: spec.Enabled } };
  }

  async describe(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const data = validate(body, DESCRIBE, this.store);
    const table = await call<DynaliteTable>((cb) => this.store.getTable(data.TableName as string, false, cb));
    const current = this.current(table);
    return {
      TimeToLiveDescription: current ? { TimeToLiveStatus: 'ENABLED', AttributeName: current.attributeName } : { TimeToLiveStatus: 'DISABLED' },
    };
  }

  private current(table: DynaliteTable): TtlSetting | undefined {
    const setting = this.enabled.get(table.TableName);
    return setting && setting.tableId === table.TableId ? setting : undefined;
  }
}

function validate(body: Record<string, unknown>, validation: ActionValidation, store: DynaliteStore): Record<string, unknown> {
  const data = dynaliteValidations.checkTypes({ ...body }, validation.types);
  dynaliteValidations.checkValidations(data, validation.types, validation.custom, store);
  return data;
}
