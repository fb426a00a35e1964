// Review binding requests (unit liaisons and committee members): oldest first, a
// page at a time (加载更多 / scrolling to the bottom), so every request is reached.
const { ensureLogin } = require('../../api/auth')
const { listForReview, approve, reject } = require('../../api/bindings')
const { relationLabel } = require('../../utils/labels')
const { showError } = require('../../utils/errors')
const { formatTime } = require('../../utils/format')
const { confirm } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

function itemView(item) {
  return {
    id: item.id,
    label: item.household.label,
    name: item.name,
    relation: relationLabel(item.relation),
    createdAt: formatTime(item.created_at),
  }
}

Page(
  loadable({
    data: {
      items: [],
      total: 0,
      nextCursor: null,
      busyId: 0,
      rejecting: 0, // the request whose 拒绝理由 dialog is open
    },

    paging: { list: 'items', cursor: 'nextCursor' },

    onShow() {
      return this.load()
    },

    // The first page (cursor null), or the next one after the last shown: a
    // request already on screen is not shown twice, even if the list changed
    // meanwhile. A 403 (not a reviewer) shows the server's message.
    async fetch(cursor) {
      await ensureLogin()
      const page = await listForReview({ status: 'pending', cursor: cursor || undefined })
      const shown = new Set(cursor ? this.data.items.map((item) => item.id) : [])
      const items = page.items.map(itemView).filter((item) => !shown.has(item.id))
      return {
        items,
        total: page.total || (cursor ? this.data.total : items.length),
        nextCursor: page.next_cursor || null,
      }
    },

    find(id) {
      return this.data.items.find((item) => item.id === id)
    },

    async approveItem(e) {
      const item = this.find(Number(e.currentTarget.dataset.id))
      if (!item || this.data.busyId) return
      const question = `${item.label} ${item.name}（${item.relation}）将成为该户成员，该户家人会收到通知。`
      if (!(await confirm('通过申请', question, { confirmText: '通过' }))) return
      await this.decide(item.id, () => approve(item.id), '已通过')
    },

    rejectItem(e) {
      const item = this.find(Number(e.currentTarget.dataset.id))
      if (!item || this.data.busyId) return
      this.setData({ rejecting: item.id })
    },

    onRejectCancel() {
      this.setData({ rejecting: 0 })
    },

    // The dialog checked the reason (not empty, not too long).
    async onReject(e) {
      const id = this.data.rejecting
      this.setData({ rejecting: 0 })
      if (!id) return
      await this.decide(id, () => reject(id, e.detail.reason), '已拒绝')
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
)
