// 公示栏 (every member of a compound): the announcements for me, urgent ones
// red and first; every fund's balance in big type; this month's collection
// rate (counts only, never who has not paid); the matters resolved this
// month; and the latest monthly disclosure as a line.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { getBoard } = require('../../api/board')
const { boardView, myCompounds } = require('../../utils/board')
const { summaryView } = require('../../utils/decisions')
const { loadable } = require('../../utils/page')

const NOT_A_MEMBER = '绑定房屋或担任小区职务后，就能看到小区的公示栏。'

Page(
  loadable({
    data: {
      compounds: [],
      compoundIndex: 0,
      denied: '',
      announcements: [],
      funds: [],
      rate: null,
      resolved: [],
      resolvedTotal: 0,
      disclosure: '',
      disclosureId: 0,
      // Owners' decisions on notice, being voted on or just closed (when the
      // server lists them).
      proposals: [],
    },

    // Every show: a notice opened meanwhile is no longer unread.
    onShow() {
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      let compounds = this.data.compounds
      if (!compounds.length) {
        compounds = myCompounds(await getMe())
        if (!compounds.length) return { denied: NOT_A_MEMBER }
      }
      const compound = compounds[Math.min(this.data.compoundIndex, compounds.length - 1)]
      const board = await getBoard(compound.code)
      const proposals = (board.proposals || []).map(summaryView)
      return Object.assign({ compounds, denied: '' }, boardView(board), { proposals })
    },

    onCompoundChange(e) {
      this.setData({ compoundIndex: Number(e.detail.value), loaded: false })
      return this.load()
    },

    openDisclosure() {
      if (!this.data.disclosureId) return
      wx.navigateTo({ url: `/pages/disclosure/index?id=${this.data.disclosureId}` })
    },

    openProposal(e) {
      wx.navigateTo({ url: `/pages/proposal/index?id=${e.currentTarget.dataset.id}` })
    },

    openNotice(e) {
      wx.navigateTo({ url: `/pages/notice/index?id=${e.currentTarget.dataset.id}` })
    },
  })
)
