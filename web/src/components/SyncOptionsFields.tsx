// The options of a connector's syncs (what a record matching a lead does, Do Not Call numbers,
// tags, owner): edited when adding a connector, on its page before a sync and when saving
// them as the connector's own.
import { useId } from 'react';
import type { DedupePolicy, DncPolicy, UpdateMode, User } from '../api';
import type { SyncOptionsForm } from '../connectors';
import { FieldError } from './ui';

export function SyncOptionsFields({
  value,
  onChange,
  users,
  errors = {},
}: {
  value: SyncOptionsForm;
  onChange: (next: SyncOptionsForm) => void;
  users: User[];
  /** By API field name without the "sync_options." prefix: dedupe, tags, owner_id, ... */
  errors?: Record<string, string>;
}) {
  const id = useId();
  const set = (patch: Partial<SyncOptionsForm>) => onChange({ ...value, ...patch });
  const error = (field: string) => ({
    'aria-invalid': !!errors[field],
    'aria-describedby': errors[field] ? `${id}-${field}-error` : undefined,
  });
  return (
    <div className="options-grid">
      <div className="field">
        <label htmlFor={`${id}-dedupe`}>A record matching a lead</label>
        <select
          id={`${id}-dedupe`}
          value={value.dedupe}
          onChange={(e) => set({ dedupe: e.target.value as DedupePolicy })}
          {...error('dedupe')}
        >
          <option value="update">updates the lead</option>
          <option value="skip">is skipped</option>
          <option value="create">becomes a new lead</option>
        </select>
        <FieldError id={`${id}-dedupe-error`} message={errors.dedupe} />
      </div>
      {value.dedupe === 'update' && (
        <div className="field">
          <label htmlFor={`${id}-update-mode`}>Updating</label>
          <select
            id={`${id}-update-mode`}
            value={value.updateMode}
            onChange={(e) => set({ updateMode: e.target.value as UpdateMode })}
          >
            <option value="overwrite">overwrites with the CRM’s values</option>
            <option value="fill">fills only empty fields</option>
          </select>
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-dnc`}>Numbers on a Do Not Call list</label>
        <select id={`${id}-dnc`} value={value.dnc} onChange={(e) => set({ dnc: e.target.value as DncPolicy })}>
          <option value="flag">are imported and flagged</option>
          <option value="skip">are skipped</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-tags`}>Tags for every lead (optional)</label>
        <input
          id={`${id}-tags`}
          value={value.tags}
          placeholder="comma, separated"
          onChange={(e) => set({ tags: e.target.value })}
          {...error('tags')}
        />
        <FieldError id={`${id}-tags-error`} message={errors.tags} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-owner`}>Owner of leads without one</label>
        <select id={`${id}-owner`} value={value.owner} onChange={(e) => set({ owner: e.target.value })} {...error('owner_id')}>
          <option value="">Nobody (unassigned)</option>
          {users
            .filter((u) => u.is_active || u.id === value.owner)
            .map((u) => (
              <option key={u.id} value={u.id}>
                {u.name || u.email}
                {u.is_active ? '' : ' (inactive)'}
              </option>
            ))}
        </select>
        <FieldError id={`${id}-owner_id-error`} message={errors.owner_id} />
      </div>
    </div>
  );
}
