// Element Plus, on demand: only the components the client uses, each with its own CSS,
// instead of the whole library (~1 MB).
import { ElAlert, ElButton, ElConfigProvider, ElDialog, ElInput, ElOption, ElSelect } from 'element-plus'
import 'element-plus/es/components/alert/style/css'
import 'element-plus/es/components/button/style/css'
import 'element-plus/es/components/config-provider/style/css'
import 'element-plus/es/components/dialog/style/css'
import 'element-plus/es/components/input/style/css'
import 'element-plus/es/components/option/style/css'
import 'element-plus/es/components/select/style/css'

const components = [ElAlert, ElButton, ElConfigProvider, ElDialog, ElInput, ElOption, ElSelect]

export default {
  install(app) {
    for (const c of components) app.component(c.name, c)
  }
}
