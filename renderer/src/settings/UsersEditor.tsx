/**
 * The built-in IdP's users: edit names, emails and groups, add users (a new one needs a
 * password), remove users. Passwords are never shown; one left empty keeps the current one.
 */
import { useState } from 'react';

import type { IdpUserSummary } from '../../../shared/admin-api.js';
import { Icon } from '../components/Icon.js';

export type EditableUser = IdpUserSummary & { password?: string; isNew?: boolean };

interface Props {
  users: EditableUser[];
  onChange: (users: EditableUser[]) => void;
}

export function UsersEditor({ users, onChange }: Props) {
  const update = (index: number, patch: Partial<EditableUser>) => onChange(users.map((u, i) => (i === index ? { ...u, ...patch } : u)));
  const allGroups = [...new Set(users.flatMap((u) => u.groups))].sort();
  return (
    <div className="stack">
      <table className="table users-table" data-testid="idp-users">
        <thead>
          <tr>
            <th>Username</th>
            <th>Name</th>
            <th>Email</th>
            <th>Groups</th>
            <th>Password</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {users.map((user, index) => (
            <tr key={index} data-testid="idp-user-row" data-username={user.username}>
              <td>
                {user.isNew ? (
                  <input className="input mono" value={user.username} placeholder="username" onChange={(event) => update(index, { username: event.target.value })} aria-label="Username" />
                ) : (
                  <code>{user.username}</code>
                )}
              </td>
              <td>
                <input className="input" value={user.name ?? ''} placeholder="—" onChange={(event) => update(index, { name: event.target.value || undefined })} aria-label={`${user.username} name`} />
              </td>
              <td>
                <input className="input" value={user.email ?? ''} placeholder="—" onChange={(event) => update(index, { email: event.target.value || undefined })} aria-label={`${user.username} email`} />
              </td>
              <td>
                <GroupsInput groups={user.groups} suggestions={allGroups} onChange={(groups) => update(index, { groups })} label={`${user.username} groups`} />
              </td>
              <td>
                <input
                  className="input"
                  type="password"
                  autoComplete="new-password"
                  value={user.password ?? ''}
                  placeholder={user.isNew ? 'required' : 'unchanged'}
                  onChange={(event) => update(index, { password: event.target.value || undefined })}
                  aria-label={`${user.username} password`}
                />
              </td>
              <td>
                <button type="button" className="btn ghost icon-btn" onClick={() => onChange(users.filter((_, i) => i !== index))} aria-label={`Remove ${user.username}`} title="Remove user">
                  <Icon name="trash" size={13} />
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div>
        <button type="button" className="btn small" onClick={() => onChange([...users, { username: '', groups: [], isNew: true }])} data-testid="idp-add-user">
          <Icon name="plus" size={12} />
          Add user
        </button>
      </div>
    </div>
  );
}

/** Groups as chips; type a name and press Enter or comma to add one. */
function GroupsInput({ groups, suggestions, onChange, label }: { groups: string[]; suggestions: string[]; onChange: (groups: string[]) => void; label: string }) {
  const [draft, setDraft] = useState('');
  const listId = `groups-${label.replace(/\W/g, '-')}`;
  const add = () => {
    const name = draft.trim();
    if (name && !groups.includes(name)) onChange([...groups, name]);
    setDraft('');
  };
  return (
    <div className="groups-input">
      {groups.map((group) => (
        <span key={group} className="group-tag">
          {group}
          <button type="button" onClick={() => onChange(groups.filter((g) => g !== group))} aria-label={`Remove group ${group}`}>
            <Icon name="x" size={10} />
          </button>
        </span>
      ))}
      <input
        className="groups-draft"
        value={draft}
        list={listId}
        placeholder={groups.length ? '' : 'add group'}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' || event.key === ',') {
            event.preventDefault();
            add();
          } else if (event.key === 'Backspace' && draft === '' && groups.length > 0) {
            onChange(groups.slice(0, -1));
          }
        }}
        onBlur={add}
        aria-label={label}
      />
      <datalist id={listId}>
        {suggestions.filter((s) => !groups.includes(s)).map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
    </div>
  );
}
