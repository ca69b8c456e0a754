import { useState } from 'react';
import { Link } from 'react-router';
import { MAX_STATIC_GROUP_DEVICES } from '@repo/schemas';
import { ErrorDetails } from '../../../components/error-details';
import { plural } from '../../../lib/format';
import { useCreateDeviceGroup } from '../api/mutations';

/** The selected devices kept as a static group, to pick them again by name. */
export function SaveAsGroupPanel({ deviceIds }: { deviceIds: string[] }) {
  const create = useCreateDeviceGroup();
  const [name, setName] = useState('');
  const tooMany = deviceIds.length > MAX_STATIC_GROUP_DEVICES;
  const count = plural(deviceIds.length, 'device');
  return (
    <section className="panel selection-panel" aria-labelledby="save-group-title">
      <h2 id="save-group-title" className="small">
        Save {count} as a group
      </h2>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate({ name: name.trim(), kind: 'static', deviceIds });
        }}
      >
        <label className="field field--inline field--grow">
          <span>Group name</span>
          <input
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              create.reset();
            }}
            maxLength={80}
            placeholder="e.g. Lyon pilot thermostats"
          />
        </label>
        <button
          type="submit"
          className="button"
          disabled={!name.trim() || tooMany || create.isPending}
        >
          {create.isPending ? 'Saving…' : 'Save as group'}
        </button>
      </form>
      {tooMany && (
        <p className="form-error" role="alert">
          A static group holds at most {MAX_STATIC_GROUP_DEVICES} devices; use a dynamic group for
          more.
        </p>
      )}
      <ErrorDetails error={create.error} title="The group was not saved." />
      {create.data && (
        <p role="status">
          Saved <Link to={`/device-groups/${create.data.id}`}>{create.data.name}</Link> with{' '}
          {plural(create.data.deviceCount, 'device')}.
        </p>
      )}
    </section>
  );
}
