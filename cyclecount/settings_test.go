package cyclecount

import (
	"reflect"
	"testing"

	cyclecountv1 "github.com/floorops/floorops/proto/floorops/cyclecount/v1"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// TestEveryPolicyWeightIsASetting: every number in a Policy is a setting a
// node stores and an admin sets (policySettings), each one a double of the
// proto Policy by its name, and each default within its own range; a weight
// added to Policy without a setting fails here.
func TestEveryPolicyWeightIsASetting(t *testing.T) {
	t.Parallel()
	fields := (&cyclecountv1.Policy{}).ProtoReflect().Descriptor().Fields()
	covered := map[string]bool{}
	def := DefaultPolicy()
	for _, ps := range policySettings {
		fd := fields.ByName(protoreflect.Name(ps.name))
		if fd == nil || fd.Kind() != protoreflect.DoubleKind || !fd.HasPresence() {
			t.Errorf("setting %s is not an optional double of the proto Policy", ps.name)
		}
		if v := *ps.field(&def) * ps.scale(); !(v >= ps.min && v <= ps.max) {
			t.Errorf("default %s = %v, outside its range %v to %v", ps.name, v, ps.min, ps.max)
		}
		var p Policy
		*ps.field(&p) = 1
		v := reflect.ValueOf(p)
		for i := range v.NumField() {
			f := v.Field(i)
			switch f.Kind() {
			case reflect.Float64:
				if f.Float() != 0 {
					covered[v.Type().Field(i).Name] = true
				}
			case reflect.Array:
				for j := range f.Len() {
					if f.Index(j).Float() != 0 {
						covered[v.Type().Field(i).Name+"["+Class(j).String()+"]"] = true
					}
				}
			}
		}
	}
	pt := reflect.TypeFor[Policy]()
	for i := range pt.NumField() {
		f := pt.Field(i)
		switch f.Type.Kind() {
		case reflect.Float64:
			if !covered[f.Name] {
				t.Errorf("Policy.%s is no setting: add it to policySettings and the proto Policy", f.Name)
			}
		case reflect.Array:
			for j := range f.Type.Len() {
				if name := f.Name + "[" + Class(j).String() + "]"; !covered[name] {
					t.Errorf("Policy.%s is no setting", name)
				}
			}
		default:
			t.Errorf("Policy.%s is a %s: TestEveryPolicyWeightIsASetting knows numbers only", f.Name, f.Type)
		}
	}
}
