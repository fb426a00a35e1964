// 消息: my in-app notifications, newest first; tapping one opens its page.
const { ensureLogin } = require('../../api/auth')
const { notifications, markRead } = require('../../api/me')
const { formatShortTime } = require('../../utils/format')
const { errorMessage, showError } = require('../../utils/errors')
const { open } = require('../../utils/nav')

function itemView(item) {
  return {
    id: item.id,
    title: item.title,
    body: item.body,
    page: item.page || '',
    time: formatShortTime(item.created_at),
    read: Boolean(item.read),
  }
}

Page({
  data: {
    loaded: false,
    error: '',
    items: [],
    unread: 0,
    nextBefore: null,
    loadingMore: false,
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

  async load() {
    try {
      await ensureLogin()
      const inbox = await notifications()
      this.setData({
        loaded: true,
        error: '',
        items: inbox.items.map(itemView),
        unread: inbox.unread,
        nextBefore: inbox.next_before,
      })
    } catch (err) {
      this.setData({ loaded: true, error: errorMessage(err) })
    }
  },

  async loadMore() {
    if (!this.data.nextBefore || this.data.loadingMore) return
    this.setData({ loadingMore: true })
    try {
      const inbox = await notifications({ before: this.data.nextBefore })
      this.setData({
        items: this.data.items.concat(inbox.items.map(itemView)),
        unread: inbox.unread,
        nextBefore: inbox.next_before,
      })
    } catch (err) {
      showError(err)
    } finally {
      this.setData({ loadingMore: false })
    }
  },

  // Mark it read here at once; a failed mark only means the dot comes back
  // on the next load, so it never holds up opening the page.
  openItem(e) {
    const id = Number(e.currentTarget.dataset.id)
    const item = this.data.items.find((i) => i.id === id)
    if (!item) return Promise.resolve()
    let marking = Promise.resolve()
    if (!item.read) {
      this.setData({
        items: this.data.items.map((i) => (i.id === id ? Object.assign({}, i, { read: true }) : i)),
        unread: Math.max(0, this.data.unread - 1),
      })
      marking = markRead([id]).catch(() => null)
    }
    if (item.page) open(item.page)
    return marking
  },

  async markAllRead() {
    try {
      await markRead(null)
      this.setData({
        items: this.data.items.map((i) => Object.assign({}, i, { read: true })),
        unread: 0,
      })
    } catch (err) {
      showError(err)
    }
  },
})
