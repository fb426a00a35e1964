// Home: my compound, my households, my roles, and what to do next.
const { ensureLogin } = require('../../api/auth')
const { getMe, notifications, myLiaisons } = require('../../api/me')
const { listExpenses } = require('../../api/spending')
const { describeUser, roleCompounds } = require('../../utils/user')
const { memberCompounds } = require('../../utils/spending')
const { FINANCE_ROLES } = require('../../utils/labels')
const { homeContactsView } = require('../../utils/liaisons')
const { loadable } = require('../../utils/page')
const { open } = require('../../utils/nav')
const { getBoard } = require('../../api/board')
const { myCompounds, sortedAnnouncements } = require('../../utils/board')
const { seesDecisions, votesNeeded } = require('../../utils/decisions')
const { homeEntries } = require('../../utils/census-entries')
const { canUseDesk, readScan, pageFor, scanQrCode, scanFailure, NOT_DESK, NOT_DESK_HINT } = require('../../utils/desk')
const { confirm, showModal } = require('../../utils/ui')

// The badge on 消息; without it the home page still works.
async function unreadCount() {
  try {
    const { unread } = await notifications({ limit: 1 })
    return unread
  } catch (err) {
    return 0
  }
}

// 我的联络人, one card per household; without it the home page still works.
async function contactCards(view) {
  if (!view.hasHousehold) return []
  try {
    const { items } = await myLiaisons()
    return items.map(homeContactsView)
  } catch (err) {
    return []
  }
}

// How many expenses wait for me (the supervisor's review, a confirmation, a
// payment to record), over my compounds; without it the home page still works.
async function expensesWaiting(user) {
  try {
    const pages = await Promise.all(
      roleCompounds(user, FINANCE_ROLES).map((c) => listExpenses(c.code, { waitingForMe: true }))
    )
    return pages.reduce((total, page) => total + (page.waiting_for_me || 0), 0)
  } catch (err) {
    return 0
  }
}

// 公示栏 for everyone bound to a compound, with its newest urgent notice shown
// here, and how many owners' decisions wait for my vote (业主表决's badge);
// without the board the card is still there.
async function boardCard(view, user) {
  const [compound] = myCompounds(user)
  if (!view.canReport || !compound) return { hasBoard: false, urgentNotice: null, votesNeeded: 0 }
  try {
    const board = await getBoard(compound.code)
    const [first] = sortedAnnouncements(board.announcements || [])
    return { hasBoard: true, urgentNotice: first && first.urgent ? first : null, votesNeeded: votesNeeded(board) }
  } catch (err) {
    return { hasBoard: true, urgentNotice: null, votesNeeded: 0 }
  }
}

Page(
  loadable({
    data: {
      compounds: [],
      households: [],
      roles: [],
      hasHousehold: false,
      canReview: false,
      canReport: false,
      canHandle: false,
      canPay: false,
      canCollect: false,
      canConfirm: false,
      canSeeCollection: false,
      canSeeIncome: false,
      canSeeReach: false,
      canSeePeople: false,
      canSeeOverview: false,
      unread: 0,
      contacts: [],
      // 资金与支出: every member of a compound; the count for the committee and supervisor.
      canSeeMoney: false,
      expensesWaiting: 0,
      hasBoard: false,
      urgentNotice: null,
      // 业主表决: owners, the committee and the supervisor; the badge counts
      // the proposals waiting for my vote.
      canSeeDecisions: false,
      votesNeeded: 0,
      // 我家的登记信息 (residents), 个人信息查看记录 (the supervisor) by role.
      censusEntries: [],
      // 电脑端 (扫码登录电脑, 已登录的电脑): the committee, the supervisor, the admin.
      canUseDesk: false,
    },

    // Every show, so a binding approved meanwhile appears on return.
    onShow() {
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      const user = await getMe()
      wx.setStorageSync('user', user)
      const view = describeUser(user)
      // Every message is about an issue: only members of a compound have any.
      const canSeeMoney = memberCompounds(user).length > 0
      const [unread, contacts, expenses, board] = await Promise.all([
        view.canReport ? unreadCount() : 0,
        contactCards(view),
        canSeeMoney ? expensesWaiting(user) : 0,
        boardCard(view, user),
      ])
      return Object.assign(view, { unread, contacts, canSeeMoney, expensesWaiting: expenses, canSeeDecisions: seesDecisions(user), censusEntries: homeEntries(user), canUseDesk: canUseDesk(user) }, board)
    },

    // 拨打电话 on a 我的联络人 card: WeChat asks before it dials.
    call(e) {
      const phone = e.currentTarget.dataset.phone
      if (phone) wx.makePhoneCall({ phoneNumber: phone })
    },

    goBoard() {
      wx.navigateTo({ url: '/pages/board/index' })
    },

    goNotice(e) {
      wx.navigateTo({ url: `/pages/notice/index?id=${e.currentTarget.dataset.id}` })
    },

    goDecisions() {
      wx.navigateTo({ url: `/pages/proposals/index${this.data.votesNeeded ? '?status=voting' : ''}` })
    },

    goBind() {
      wx.navigateTo({ url: '/pages/bind/index' })
    },

    goReview() {
      wx.navigateTo({ url: '/pages/review/index' })
    },

    goReport() {
      open('/pages/report/index')
    },

    goIssues() {
      wx.navigateTo({ url: '/pages/issues/index' })
    },

    goInbox() {
      open('/pages/inbox/index')
    },

    goWorkspace() {
      wx.navigateTo({ url: '/pages/workspace/index' })
    },

    goBills() {
      open('/pages/bills/index')
    },

    goCollect() {
      wx.navigateTo({ url: '/pages/collect/index' })
    },

    goMeter() {
      wx.navigateTo({ url: '/pages/meter/index' })
    },

    goConfirm() {
      wx.navigateTo({ url: '/pages/confirm/index' })
    },

    goCollection() {
      wx.navigateTo({ url: '/pages/collection/index' })
    },

    goFunds() {
      wx.navigateTo({ url: '/pages/funds/index' })
    },

    goExpenses() {
      const filter = this.data.expensesWaiting ? '?filter=mine' : ''
      wx.navigateTo({ url: `/pages/expenses/index${filter}` })
    },

    goIncome() {
      wx.navigateTo({ url: '/pages/income/index' })
    },

    goReach() {
      wx.navigateTo({ url: '/pages/reach/index' })
    },

    goCompound() {
      wx.navigateTo({ url: '/pages/compound/index' })
    },

    goPeople() {
      wx.navigateTo({ url: '/pages/people/index' })
    },

    goCensusEntry(e) {
      wx.navigateTo({ url: e.currentTarget.dataset.url })
    },

    // 扫码登录电脑: the camera reads the computer's QR code, 登录电脑端 asks
    // before signing it in. A role invite code goes to 领取任命; anything else
    // is said to be not ours, with 再扫一次.
    async scanDesk() {
      if (this.scanning) return
      this.scanning = true
      const scanned = await scanQrCode()
      this.scanning = false
      if (scanned.failure) {
        const failure = scanFailure(scanned.failure)
        return failure ? this.tellScan(failure) : undefined
      }
      const url = pageFor(readScan(scanned.text))
      if (url) return wx.navigateTo({ url })
      return this.tellScan({ title: NOT_DESK, hint: NOT_DESK_HINT, again: true })
    },

    async tellScan({ title, hint, again }) {
      if (!again) return showModal({ title, content: hint, showCancel: false, confirmText: '知道了' })
      if (await confirm(title, hint, { confirmText: '再扫一次', cancelText: '不扫了' })) return this.scanDesk()
    },

    goDeskSessions() {
      wx.navigateTo({ url: '/pages/desk-sessions/index' })
    },

    // Anyone signed in may have been handed a role invite code.
    goRedeem() {
      wx.navigateTo({ url: '/pages/redeem/index' })
    },
  })
)
