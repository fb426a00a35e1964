// Home: my compound, my households, my roles, and what to do next.
const { ensureLogin } = require('../../api/auth')
const { getMe, notifications, myLiaisons } = require('../../api/me')
const { describeUser } = require('../../utils/user')
const { homeContactsView } = require('../../utils/liaisons')
const { loadable } = require('../../utils/page')
const { open } = require('../../utils/nav')
const { getBoard } = require('../../api/board')
const { myCompounds, sortedAnnouncements } = require('../../utils/board')

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

// 公示栏 for everyone bound to a compound, with its newest urgent notice shown
// here; without the board the card is still there.
async function boardCard(view, user) {
  const [compound] = myCompounds(user)
  if (!view.canReport || !compound) return { hasBoard: false, urgentNotice: null }
  try {
    const board = await getBoard(compound.code)
    const [first] = sortedAnnouncements(board.announcements || [])
    return { hasBoard: true, urgentNotice: first && first.urgent ? first : null }
  } catch (err) {
    return { hasBoard: true, urgentNotice: null }
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
      canSeeReach: false,
      canSeePeople: false,
      unread: 0,
      contacts: [],
      hasBoard: false,
      urgentNotice: null,
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
      const [unread, contacts, board] = await Promise.all([
        view.canReport ? unreadCount() : 0,
        contactCards(view),
        boardCard(view, user),
      ])
      return Object.assign(view, { unread, contacts }, board)
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

    goReach() {
      wx.navigateTo({ url: '/pages/reach/index' })
    },

    goPeople() {
      wx.navigateTo({ url: '/pages/people/index' })
    },

    // Anyone signed in may have been handed a role invite code.
    goRedeem() {
      wx.navigateTo({ url: '/pages/redeem/index' })
    },
  })
)
