// Sending the report form (form.js): what the inputs say, checked, sent as
// POST /issues after the subscription dialog, and the server's refusals shown
// on the fields they are about.
const { createIssue } = require('../../api/issues')
const { validateIssue, cleanMultiline } = require('../../utils/validate')
const { uploadedIds, photoProblem } = require('../../services/photos')
const { subscribe } = require('../../services/subscribe')
const { showError, fieldErrors } = require('../../utils/errors')

// Server fields about the place are shown under the place picker.
const PLACE_FIELDS = ['unit_id', 'building_id', 'compound']

// What a sent report leaves behind on the 报事 tab: an empty form (a tab
// page stays open).
const BLANK_FORM = {
  categoryIndex: -1,
  title: '',
  description: '',
  photos: [],
  showName: false,
  errors: {},
}

// Methods of a report page (form.js reportForm()): the 报事 tab (forOthers
// false) or pages/report-for (forOthers true).
function submitMethods({ forOthers }) {
  return {
    form() {
      const d = this.data
      const category = d.categories[d.categoryIndex]
      const place = d.places[d.placeIndex]
      const room = d.rooms[d.roomIndex]
      return {
        category: category ? category.value : '',
        title: d.title.trim(),
        description: cleanMultiline(d.description),
        location: place ? place.body : null,
        onBehalf: d.onBehalf,
        onBehalfName: d.onBehalfName.trim(),
        householdId: room ? room.id : '',
      }
    },

    body(form) {
      const body = {
        category: form.category,
        title: form.title,
        description: form.description,
        photos: uploadedIds(this.data.photos),
        show_name: this.data.showName,
      }
      if (!form.onBehalf) return Object.assign(body, form.location)
      return Object.assign(body, {
        household_id: form.householdId,
        on_behalf_name: form.onBehalfName,
      })
    },

    // The tap on 提交. Everything before subscribe() is synchronous: WeChat only
    // shows the subscription dialog when it is asked straight from a tap.
    submit() {
      if (this.data.submitting) return Promise.resolve()
      const form = this.form()
      const errors = validateIssue(form)
      const photos = photoProblem(this.data.photos)
      if (photos) errors.photos = photos
      if (Object.keys(errors).length) {
        this.setData({ errors })
        return Promise.resolve()
      }
      this.setData({ submitting: true, errors: {} })
      return subscribe(this.data.tmplIds).then(() => this.send(this.body(form)))
    },

    async send(body) {
      try {
        const issue = await createIssue(body)
        wx.showToast({ title: '已提交', icon: 'success' })
        const url = `/pages/issue/index?id=${issue.id}`
        // For a neighbour: the issue takes this page's place, 返回 goes back to
        // where it was opened from (工作台).
        if (forOthers) return wx.redirectTo({ url })
        // The tab stays open: empty the form, so 返回 from the issue (or the
        // 报事 tab later) does not show the sent report again.
        this.setData(BLANK_FORM)
        wx.navigateTo({ url })
      } catch (err) {
        const fields = this.placeErrors(fieldErrors(err))
        if (Object.keys(fields).length) this.setData({ errors: fields })
        else showError(err)
      } finally {
        this.setData({ submitting: false })
      }
    },

    placeErrors(fields) {
      const errors = {}
      for (const name of Object.keys(fields)) {
        const onPicker = PLACE_FIELDS.includes(name) || (name === 'household_id' && !this.data.onBehalf)
        errors[onPicker ? 'location' : name] = fields[name]
      }
      return errors
    },
  }
}

module.exports = { submitMethods }
