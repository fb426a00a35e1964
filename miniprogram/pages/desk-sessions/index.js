// 已登录的电脑: the computers signed into the desk (电脑端) as me, each with
// its compound, when it signed in and when it was last used (Shanghai time),
// and 退出 for one of them; 退出所有电脑 asks first.
const { ensureLogin } = require('../../api/auth')
const { listDeskSessions, signOutComputer, signOutEverywhere } = require('../../api/console')
const { sessionView } = require('../../utils/desk')
const { errorMessage } = require('../../utils/errors')
const { confirmOnce, showModal } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

// A refusal to read at leisure, not a toast cut to two lines.
const told = (title, err) => showModal({ title, content: errorMessage(err), showCancel: false, confirmText: '知道了' })

Page(
  loadable({
    data: { items: [], busy: false },

    // Every show: a computer may have signed out or in meanwhile.
    onShow() {
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      const { items } = await listDeskSessions()
      const now = Date.now()
      return { items: (items || []).map((item) => sessionView(item, now)) }
    },

    isEmpty(data) {
      return !data.items.length
    },

    // 退出 one computer: it can sign in again with a new scan, so no question.
    async signOutOne(e) {
      const id = Number(e.currentTarget.dataset.id)
      if (this.data.busy || !id) return
      this.setData({ busy: true })
      try {
        await signOutComputer(id)
        wx.showToast({ title: '已退出', icon: 'success' })
      } catch (err) {
        // Already gone (404): the list read again shows it so.
        if (!(err && err.status === 404)) await told('没有退出', err)
      }
      this.setData({ busy: false })
      return this.refresh()
    },

    // 退出所有电脑: asked first, then every computer at once.
    async signOutAll() {
      if (this.data.busy) return
      const yes = await confirmOnce(
        this,
        '退出所有电脑？',
        '用您的身份登录的电脑都会退出。要再用，需要在电脑上重新扫码登录。',
        { confirmText: '全部退出', cancelText: '不退出' }
      )
      if (!yes) return
      this.setData({ busy: true })
      try {
        const { signed_out: count } = await signOutEverywhere()
        wx.showToast({ title: count ? `已退出 ${count} 台电脑` : '已全部退出', icon: 'none' })
      } catch (err) {
        await told('没有退出', err)
      }
      this.setData({ busy: false })
      return this.refresh()
    },
  })
)
