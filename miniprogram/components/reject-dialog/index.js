// <reject-dialog show="{{rejecting}}" title="驳回理由" hint="登记人会看到这条理由"
//   confirm-text="确定驳回" busy="{{busy}}" bind:confirm="onReject" bind:cancel="onRejectCancel" />
// Asks why something is turned down (a cash record, a change, a join request,
// an issue): a big text box that must not be left empty, at most 200
// characters (the server's limit), and two full-size buttons. `confirm`
// carries {reason} (trimmed, checked); the page closes it by setting show false.
const { checkReason } = require('../../utils/validate')

const MAX = 200

Component({
  properties: {
    show: { type: Boolean, value: false, observer: 'onShowChange' },
    title: { type: String, value: '请填写理由' },
    hint: { type: String, value: '' },
    placeholder: { type: String, value: '请写明原因，对方会看到' },
    emptyMessage: { type: String, value: '请填写理由' },
    confirmText: { type: String, value: '确定' },
    busy: { type: Boolean, value: false },
  },

  data: { reason: '', error: '', count: 0, max: MAX },

  methods: {
    // A fresh box each time it opens.
    onShowChange(show) {
      if (show) this.setData({ reason: '', error: '', count: 0 })
    },

    onInput(e) {
      const reason = e.detail.value
      this.setData({ reason, count: reason.length, error: '' })
    },

    onConfirm() {
      if (this.data.busy) return
      const reason = (this.data.reason || '').trim()
      const error = checkReason(reason, this.data.emptyMessage)
      if (error) {
        this.setData({ error })
        return
      }
      this.triggerEvent('confirm', { reason })
    },

    onCancel() {
      this.triggerEvent('cancel')
    },

    // Taps on the panel must not reach the mask behind it.
    noop() {},
  },
})
