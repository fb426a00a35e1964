// Review binding requests (unit liaisons and committee members): oldest first, a
// page at a time (加载更多 / scrolling to the bottom), so every request is reached.
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
    total: 0,
    nextCursor: null,
    loadingMore: false,
    busyId: 0,
  },

  onShow() {
    return this.load()
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh())
  },

  onReachBottom() {
    return this.loadMore()
  },

  // The first page. Errors (403 for someone who is not a reviewer) replace the
  // list with the server's message.
  async load() {
    try {
      await ensureLogin()
      const page = await listForReview({ status: 'pending' })
      this.setData({
        loaded: true,
        error: '',
        items: page.items.map(itemView),
        total: page.total || page.items.length,
        nextCursor: page.next_cursor || null,
      })
    } catch (err) {
      this.setData({ loaded: true, error: errorMessage(err), items: [], total: 0, nextCursor: null })
    }
  },

  // The next page, after the last one shown (a request already on screen is not
  // shown twice, even if the list changed meanwhile).
  async loadMore() {
    if (!this.data.nextCursor || this.data.loadingMore) return
    this.setData({ loadingMore: true })
    try {
      const page = await listForReview({ status: 'pending', cursor: this.data.nextCursor })
      const shown = new Set(this.data.items.map((item) => item.id))
      const fresh = page.items.map(itemView).filter((item) => !shown.has(item.id))
      this.setData({
        items: this.data.items.concat(fresh),
        total: page.total || this.data.total,
        nextCursor: page.next_cursor || null,
      })
    } catch (err) {
      showError(err)
    } finally {
      this.setData({ loadingMore: false })
    }
  },

  find(id) {
    return this.data.items.find((item) => item.id === id)
  },

  async approveItem(e) {
    const item = this.find(Number(e.currentTarget.dataset.id))
    if (!item) return
    const question = `${item.label} ${item.name}（${item.relation}）将成为该户成员，该户家人会收到通知。`
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

  // One decision at a time; the list is reloaded from the oldest afterwards either
  // way, since a failure (409) often means someone else already decided.
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
