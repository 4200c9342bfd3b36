// Entities and events are written without `undefined` fields, so stores that
// reject them (DynamoDB marshalling) and deep-equality checks see one shape.
export const compact = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
