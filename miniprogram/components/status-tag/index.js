// <status-tag status="pending" />: a binding status as a coloured Chinese tag.
// <status-tag kind="issue" status="accepted" label="{{item.statusLabel}}" />: an
// issue status; `label` (the server's status_label) wins over our own labels.
// kind="payment": an online payment (待支付/已支付/已关闭/金额异常).
const { statusLabel, issueStatusLabel, paymentStatusLabel } = require('../../utils/labels')

const TONES = {
  binding: {
    pending: 'warning',
    approved: 'success',
    rejected: 'danger',
    cancelled: 'muted',
    expired: 'muted',
  },
  issue: {
    submitted: 'warning',
    accepted: 'primary',
    referred: 'primary',
    resolved: 'success',
    closed: 'success',
    rejected: 'danger',
    duplicate: 'muted',
  },
  payment: {
    pending: 'warning',
    paid: 'success',
    closed: 'muted',
    disputed: 'warning', // another amount was taken: to be refunded
  },
}

const LABELS = { binding: statusLabel, issue: issueStatusLabel, payment: paymentStatusLabel }

Component({
  properties: {
    status: { type: String, value: '' },
    kind: { type: String, value: 'binding' }, // binding | issue | payment
    label: { type: String, value: '' },
  },

  data: {
    text: '',
    tone: 'muted',
  },

  observers: {
    'status, kind, label'(status, kind, label) {
      const tones = TONES[kind] || TONES.binding
      const text = label || (LABELS[kind] || statusLabel)(status)
      this.setData({ text, tone: tones[status] || 'muted' })
    },
  },
})
