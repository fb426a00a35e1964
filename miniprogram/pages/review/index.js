// Review binding requests (unit liaisons and committee members).
const { ensureLogin } = require('../../api/auth')
const { listForReview, approve, reject } = require('../../api/bindings')
const { relationLabel } = require('../../utils/labels')
const { checkReason } = require('../../utils/validate')
const { errorMessage, showError } = require('../../utils/errors')
const { formatTime } = require('../../utils/format')
const { showModal, confirm } = require('../../utils/ui')

function itemView(item) {
  return {
    id: item.id,
    label: item.household.label,
    name: item.name,
    relation: relationLabel(item.relation),
    createdAt: formatTime(item.created_at),
  }
}

Page({
  data: {
    loaded: false,
    error: '',
    items: [],
    busyId: 0,
  },

  onShow() {
    return this.load()
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh())
  },

  // Errors (403 for someone who is not a reviewer) replace the list with the server's message.
  async load() {
    try {
      await ensureLogin()
      const { items } = await listForReview('pending')
      this.setData({ loaded: true, error: '', items: items.map(itemView) })
    } catch (err) {
      this.setData({ loaded: true, error: errorMessage(err), items: [] })
    }
  },

  find(id) {
    return this.data.items.find((item) => item.id === id)
  },

  async approveItem(e) {
    const item = this.find(Number(e.currentTarget.dataset.id))
    if (!item) return
    const question = `${item.label} ${item.name}（${item.relation}）将成为该户成员。`
    if (!(await confirm('通过申请', question))) return
    await this.decide(item.id, () => approve(item.id), '已通过')
  },

  async rejectItem(e) {
    const item = this.find(Number(e.currentTarget.dataset.id))
    if (!item) return
    const res = await showModal({
      title: '拒绝理由',
      editable: true,
      placeholderText: '申请人会看到这条理由',
    })
    if (!res.confirm) return
    const reason = (res.content || '').trim()
    const problem = checkReason(reason)
    if (problem) {
      wx.showToast({ title: problem, icon: 'none' })
      return
    }
    await this.decide(item.id, () => reject(item.id, reason), '已拒绝')
  },

  // One decision at a time; the list is reloaded afterwards either way,
  // since a failure (409) often means someone else already decided.
  async decide(id, call, doneText) {
    if (this.data.busyId) return
    this.setData({ busyId: id })
    try {
      await call()
      wx.showToast({ title: doneText, icon: 'success' })
    } catch (err) {
      showError(err)
    }
    this.setData({ busyId: 0 })
    await this.load()
  },
})
