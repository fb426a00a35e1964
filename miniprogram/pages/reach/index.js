// 谁能收到提醒 (committee): for each unit, whether its liaisons get new issues
// pushed to WeChat (the official account, or subscriptions with N left) or
// only in the inbox; units nobody can be pushed for first, then building leads
// and the committee itself.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { reachability } = require('../../api/compounds')
const { roleCompounds } = require('../../utils/user')
const { REACH_ROLES } = require('../../utils/labels')
const { reachView } = require('../../utils/reach')
const { loadable } = require('../../utils/page')

const COMMITTEE_ONLY = '只有业委会成员可以查看联络人能否收到提醒。'

Page(
  loadable({
    data: {
      compounds: [],
      compoundIndex: 0,
      reach: null,
      denied: '', // not on a committee: said once, with nothing to retry
    },

    onLoad() {
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      let compounds = this.data.compounds
      if (!compounds.length) {
        compounds = roleCompounds(await getMe(), REACH_ROLES)
        if (!compounds.length) return { denied: COMMITTEE_ONLY, reach: null }
      }
      const body = await reachability(compounds[this.data.compoundIndex].code)
      return { compounds, denied: '', reach: reachView(body) }
    },

    // A compound without units yet: nothing to show but that.
    isEmpty(data) {
      return Boolean(data.reach && !data.reach.units.length)
    },

    onCompoundChange(e) {
      this.setData({ compoundIndex: Number(e.detail.value), loaded: false, reach: null })
      return this.load()
    },
  })
)
