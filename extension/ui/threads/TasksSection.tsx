/** A thread's tasks: add, change status, edit title, description, priority and due date (each change is an event), see the event log. */
import { useState } from 'preact/hooks';
import { TASK_PRIORITIES, TASK_STATUSES, type TaskPriority, type TaskStatus } from '../../../shared/schemas/statuses';
import type { Task, TaskEvent } from '../../../shared/schemas/entities';
import { sendCommand } from '../../commands/client';
import { useLiveQuery } from '../hooks';
import { t, type MessageKey } from '../i18n';
import type { WithThread } from './Composer';

const STATUS_WORD: Record<TaskStatus, MessageKey> = {
  pending: 'taskStatusPending',
  in_progress: 'taskStatusInProgress',
  blocked: 'taskStatusBlocked',
  completed: 'taskStatusCompleted',
  failed: 'taskStatusFailed',
  cancelled: 'taskStatusCancelled',
};
const PRIORITY_WORD: Record<TaskPriority, MessageKey> = { low: 'taskPriorityLow', normal: 'taskPriorityNormal', high: 'taskPriorityHigh', urgent: 'taskPriorityUrgent' };

/** `threadId` null: the tab's thread is unsaved; adding a task makes it. */
export function TasksSection({ threadId, withThread }: { threadId: string | null; withThread: WithThread }) {
  const tasks = useLiveQuery((db) => (threadId ? db.tasks.where('threadId').equals(threadId).sortBy('createdAt') : []), [threadId]) ?? [];
  const [title, setTitle] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <section data-testid="tasks">
      <h2>{t('tasksTitle')}</h2>
      <ul class="tasks">
        {tasks.map((task) => (
          <TaskItem key={task.id} task={task} />
        ))}
      </ul>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!title.trim()) return;
          void withThread((id) => sendCommand('tasks.create', { threadId: id, title })).then((reply) => {
            if (reply.ok) setTitle('');
            setError(reply.ok ? null : reply.error.message);
          });
        }}
      >
        <input value={title} placeholder={t('taskNewPlaceholder')} data-testid="task-input" onInput={(e) => setTitle((e.target as HTMLInputElement).value)} /> <button type="submit">{t('taskAdd')}</button>
      </form>
      {error && <p class="error">{error}</p>}
    </section>
  );
}

/** A due date as the date input shows it (local day), and back (end of that local day). */
const dayOf = (at: number | null) => (at === null ? '' : new Date(at - new Date(at).getTimezoneOffset() * 60_000).toISOString().slice(0, 10));
const dueFrom = (day: string) => (day ? new Date(`${day}T23:59:59`).getTime() : null);

function TaskItem({ task }: { task: Task }) {
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const events = useLiveQuery<TaskEvent[]>((db) => (open ? db.taskEvents.where('[taskId+seq]').between([task.id, -Infinity], [task.id, Infinity]).toArray() : []), [task.id, open]) ?? [];
  return (
    <li data-testid="task" data-status={task.status} data-priority={task.priority}>
      <select value={task.status} aria-label={t('taskStatusLabel', task.title)} data-testid="task-status" onChange={(e) => void sendCommand('tasks.update', { taskId: task.id, status: (e.target as HTMLSelectElement).value as TaskStatus })}>
        {TASK_STATUSES.map((status) => (
          <option key={status} value={status}>
            {t(STATUS_WORD[status])}
          </option>
        ))}
      </select>{' '}
      <span data-testid="task-title">{task.title}</span>
      {task.priority !== 'normal' && <span class="muted"> · {t(PRIORITY_WORD[task.priority])}</span>}
      {task.dueAt !== null && <span class="muted"> · {t('taskDue', new Date(task.dueAt).toLocaleDateString())}</span>}{' '}
      <button type="button" class="link" data-testid="task-edit" onClick={() => setEditing(!editing)}>
        {t('taskEdit')}
      </button>{' '}
      <button type="button" class="link" onClick={() => setOpen(!open)}>
        {open ? t('taskHideHistory') : t('taskHistory')}
      </button>
      {task.description && !editing && <p class="muted task-description">{task.description}</p>}
      {editing && (
        <form
          class="task-edit"
          data-testid="task-edit-form"
          onSubmit={(event) => {
            event.preventDefault();
            const form = new FormData(event.currentTarget);
            void sendCommand('tasks.update', {
              taskId: task.id,
              title: String(form.get('title') ?? ''),
              description: String(form.get('description') ?? ''),
              priority: String(form.get('priority')) as TaskPriority,
              dueAt: dueFrom(String(form.get('due') ?? '')),
            }).then((reply) => {
              setError(reply.ok ? null : reply.error.message);
              if (reply.ok) setEditing(false);
            });
          }}
        >
          <input name="title" defaultValue={task.title} aria-label={t('taskTitleLabel')} data-testid="task-edit-title" />
          <textarea name="description" rows={2} defaultValue={task.description} aria-label={t('taskDescriptionLabel')} data-testid="task-edit-description" />
          <label>
            {t('taskPriority')}{' '}
            <select name="priority" defaultValue={task.priority} data-testid="task-edit-priority">
              {TASK_PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {t(PRIORITY_WORD[p])}
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            {t('taskDueLabel')} <input type="date" name="due" defaultValue={dayOf(task.dueAt)} data-testid="task-edit-due" />
          </label>{' '}
          <button type="submit" data-testid="task-edit-save">
            {t('save')}
          </button>
          {error && <p class="error">{error}</p>}
        </form>
      )}
      {open && (
        <ol class="muted task-events">
          {events.map((event) => (
            <li key={event.id}>
              {new Date(event.at).toLocaleString()} · {event.type}
              {event.type === 'status_changed' ? ` ${String(event.data.from)} → ${String(event.data.to)}` : ''}
              {event.type === 'edited' ? ` ${Object.keys(event.data).join(', ')}` : ''}
            </li>
          ))}
        </ol>
      )}
    </li>
  );
}
