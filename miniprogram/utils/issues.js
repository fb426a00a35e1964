// What the issue pages show of the server's issue shapes.
const {
  ISSUE_ACTION_BUTTONS,
  issueActionLabel,
  issueStatusLabel,
  issueCategoryLabel,
  roleLabel,
} = require('./labels')
const { formatShortTime, formatDate } = require('./format')

// One row of GET /issues: the list card.
function issueItemView(item) {
  const latest = item.latest
  return {
    id: item.id,
    title: item.title,
    status: item.status,
    statusLabel: item.status_label || issueStatusLabel(item.status),
    categoryLabel: item.category_label || issueCategoryLabel(item.category),
    location: item.location,
    createdAt: formatShortTime(item.created_at),
    overdue: Boolean(item.overdue),
    photoCount: item.photo_count || 0,
    latest: latest ? [latest.action_label, latest.note].filter(Boolean).join('：') : '',
  }
}

// "王阿姨 · 单元联络人"; events the system made have no actor.
function actorText(event) {
  if (!event.actor_name) return '系统'
  return event.actor_role ? `${event.actor_name} · ${roleLabel(event.actor_role)}` : event.actor_name
}

// Newest first, as residents read it.
function timelineView(timeline) {
  return (timeline || [])
    .map((event) => ({
      id: event.id,
      actionLabel: event.action_label,
      actor: actorText(event),
      note: event.note || '',
      time: formatShortTime(event.created_at),
      photoCount: (event.photos || []).length,
    }))
    .reverse()
}

function referralView(referral) {
  if (!referral) return null
  return {
    body: referral.body || '',
    contact: referral.contact || '',
    reference: referral.reference || '',
    followUpOn: formatDate(referral.follow_up_on),
  }
}

// Exactly the buttons the server allows, in its order (those this client knows
// how to carry out), in the server's words.
function actionButtons(actions) {
  return (actions || [])
    .filter((action) => ISSUE_ACTION_BUTTONS[action])
    .map((action) => ({ action, label: issueActionLabel(action) }))
}

function issueDetailView(issue) {
  return Object.assign(issueItemView(issue), {
    description: issue.description,
    reporter: issue.on_behalf_name ? `${issue.on_behalf_name}（联络人代报）` : issue.reporter_name || '',
    referral: referralView(issue.referral),
    rating: issue.rating || 0,
    feedback: issue.feedback || '',
    rejectReason: issue.reject_reason || '',
    duplicateOf: issue.duplicate_of || 0,
    photos: issue.photos || [],
    timeline: timelineView(issue.timeline),
    // I reported it or filed it for a neighbour: I confirm or reopen.
    isReporter: Boolean(issue.is_reporter),
  })
}

// One of GET /me/tasks: an in-person return visit.
function taskView(task) {
  return {
    visitId: task.visit_id,
    issueId: task.issue_id,
    title: task.title,
    categoryLabel: issueCategoryLabel(task.category),
    due: formatShortTime(task.due_at),
    onBehalfName: task.on_behalf_name || '',
  }
}

module.exports = { issueItemView, issueDetailView, actionButtons, taskView }
