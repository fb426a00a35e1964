// <status-tag status="pending" />: a binding status as a coloured Chinese tag.
const { statusLabel } = require('../../utils/labels')

const TONES = {
  pending: 'warning',
  approved: 'success',
  rejected: 'danger',
  cancelled: 'muted',
  expired: 'muted',
}

Component({
  properties: {
    status: { type: String, value: '' },
  },

  data: {
    text: '',
    tone: 'muted',
  },

  observers: {
    status(status) {
      this.setData({ text: statusLabel(status), tone: TONES[status] || 'muted' })
    },
  },
})
