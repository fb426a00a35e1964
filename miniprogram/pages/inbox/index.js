// 消息: my in-app notifications, newest first; tapping one opens its page.
const { ensureLogin } = require('../../api/auth')
const { notifications, markRead } = require('../../api/me')
const { formatShortTime } = require('../../utils/format')
const { showError } = require('../../utils/errors')
const { loadable } = require('../../utils/page')
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

Page(
  loadable({
    data: {
      items: [],
      unread: 0,
      nextBefore: null,
    },

    paging: { list: 'items', cursor: 'nextBefore' },

    onShow() {
      return this.load()
    },

    async fetch(before) {
      await ensureLogin()
      const inbox = await notifications({ before })
      return { items: inbox.items.map(itemView), unread: inbox.unread, nextBefore: inbox.next_before }
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
)
