// 排查 (a screening sweep) for the volunteers who walk it: how far each unit of
// my reach has got (past its day, the building lead told), and the chosen
// unit's door-to-door list — each flat 未走访, 没有问题 or how many problems,
// tapped to record it (pages/campaign-result). The committee also exports the
// register (台账) and ends the sweep (asked first). Opened with ?id=<campaign>
// (&unit_id= to open on a unit); read again when shown again, after a record.
const { ensureLogin } = require('../../api/auth')
const { getCampaign, campaignHouseholds, closeCampaign, campaignRegister } = require('../../api/campaigns')
const { campaignView, doorView } = require('../../utils/sweep')
const { errorMessage, showError } = require('../../utils/errors')
const { confirmOnce } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

Page(
  loadable({
    data: {
      campaign: null,
      unitId: 0,
      unitLabel: '',
      doors: [],
      doorsLoading: false,
      doorsError: '',
      closing: false,
      exporting: false,
    },

    onLoad(options = {}) {
      this.campaignId = Number(options.id || 0)
      if (options.unit_id) this.setData({ unitId: Number(options.unit_id) })
      return this.load()
    },

    // Back from recording a household: the progress and the list have moved.
    onShow() {
      return this.data.loaded && !this.data.error ? this.refresh() : undefined
    },

    async fetch() {
      await ensureLogin()
      return { campaign: campaignView(await getCampaign(this.campaignId)) }
    },

    // The unit chosen stays chosen; a liaison of one unit gets it at once.
    onLoaded() {
      const units = this.data.campaign.units
      const kept = units.find((u) => u.id === this.data.unitId)
      const unit = kept || (units.length === 1 ? units[0] : null)
      if (!unit) return this.setData({ unitId: 0, unitLabel: '', doors: [] })
      this.setData({ unitId: unit.id, unitLabel: unit.label })
      return this.loadDoors()
    },

    selectUnit(e) {
      const unit = this.data.campaign.units.find((u) => u.id === Number(e.currentTarget.dataset.id))
      if (!unit) return undefined
      this.setData({ unitId: unit.id, unitLabel: unit.label, doors: [] })
      return this.loadDoors()
    },

    // An answer for a unit no longer chosen is dropped.
    async loadDoors() {
      const unitId = this.data.unitId
      this.setData({ doorsLoading: true, doorsError: '' })
      try {
        const { items } = await campaignHouseholds(this.campaignId, unitId)
        if (unitId === this.data.unitId) this.setData({ doors: (items || []).map(doorView), doorsLoading: false })
      } catch (err) {
        if (unitId === this.data.unitId) this.setData({ doorsLoading: false, doorsError: errorMessage(err) })
      }
    },

    // 结束排查 (the committee): nothing more is recorded, no unit is chased.
    async closeCampaign() {
      const campaign = this.data.campaign
      if (!campaign || !campaign.mayClose || this.data.closing) return
      const left = campaign.progress.total - campaign.progress.visited
      const rest = left > 0 ? `，还没走访的 ${left} 户也不再催办` : ''
      const sure = await confirmOnce(this, '结束排查', `结束后各单元不能再登记${rest}。确定结束？`, {
        confirmText: '结束',
        cancelText: '不结束',
      })
      if (!sure) return
      this.setData({ closing: true })
      try {
        this.setData({ campaign: campaignView(await closeCampaign(this.campaignId)) })
        wx.showToast({ title: '排查已结束', icon: 'success' })
      } catch (err) {
        showError(err)
      }
      this.setData({ closing: false })
    },

    // 导出台账: downloaded with the bearer header, then opened in WeChat's
    // document viewer, which can send it on.
    async exportRegister() {
      if (this.data.exporting) return
      this.setData({ exporting: true })
      try {
        const filePath = await campaignRegister(this.campaignId)
        await new Promise((resolve, reject) =>
          wx.openDocument({ filePath, fileType: 'xlsx', showMenu: true, success: resolve, fail: reject })
        )
      } catch (err) {
        showError(err && err.message ? err : { message: '排查台账打不开，请稍后再试' })
      }
      this.setData({ exporting: false })
    },

    openDoor(e) {
      const door = this.data.doors.find((d) => d.id === Number(e.currentTarget.dataset.id))
      if (!door) return
      const query = `id=${this.campaignId}&unit_id=${this.data.unitId}&household_id=${door.id}&label=${encodeURIComponent(door.label)}`
      wx.navigateTo({ url: `/pages/campaign-result/index?${query}` })
    },
  })
)
