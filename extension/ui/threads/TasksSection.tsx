/** A thread's tasks: add, change status (each change is an event), see the event log. */
import { useState } from 'preact/hooks';
import { TASK_STATUSES, type TaskStatus } from '../../../shared/schemas/statuses';
import type { Task, TaskEvent } from '../../../shared/schemas/entities';
import { sendCommand } from '../../commands/client';
import { useLiveQuery } from '../hooks';
import { t } from '../i18n';

export function TasksSection({ threadId }: { threadId: string }) {
  const tasks = useLiveQuery((db) => db.tasks.where('threadId').equals(threadId).sortBy('createdAt'), [threadId]) ?? [];
  const [title, setTitle] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <section data-testid="tasks">
      <h2>Tasks</h2>
      <ul class="tasks">
        {tasks.map((task) => (
          <TaskItem key={task.id} task={task} />
        ))}
      </ul>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!title.trim()) return;
          void sendCommand('tasks.create', { threadId, title }).then((reply) => {
            if (reply.ok) setTitle('');
            setError(reply.ok ? null : reply.error.message);
          });
        }}
      >
        <input value={title} placeholder="New task" data-testid="task-input" onInput={(e) => setTitle((e.target as HTMLInputElement).value)} /> <button type="submit">Add</button>
      </form>
      {error && <p class="error">{error}</p>}
    </section>
  );
}

function TaskItem({ task }: { task: Task }) {
  const [open, setOpen] = useState(false);
  const events = useLiveQuery<TaskEvent[]>((db) => (open ? db.taskEvents.where('[taskId+seq]').between([task.id, -Infinity], [task.id, Infinity]).toArray() : []), [task.id, open]) ?? [];
  return (
    <li data-testid="task" data-status={task.status}>
      <select value={task.status} aria-label={t('taskStatusLabel', task.title)} data-testid="task-status" onChange={(e) => void sendCommand('tasks.update', { taskId: task.id, status: (e.target as HTMLSelectElement).value as TaskStatus })}>
        {TASK_STATUSES.map((status) => (
          <option key={status} value={status}>
            {status.replace('_', ' ')}
          </option>
        ))}
      </select>{' '}
      <span>{task.title}</span>{' '}
      <button type="button" class="link" onClick={() => setOpen(!open)}>
        {open ? 'hide history' : 'history'}
      </button>
      {open && (
        <ol class="muted task-events">
          {events.map((event) => (
            <li key={event.id}>
              {new Date(event.at).toLocaleString()} · {event.type}
              {event.type === 'status_changed' ? ` ${String(event.data.from)} → ${String(event.data.to)}` : ''}
            </li>
          ))}
        </ol>
      )}
    </li>
  );
}
