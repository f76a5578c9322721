#include "common/epcis/vocabulary.h"

#include <array>

namespace ocop::epcis {
namespace {

constexpr StepScope kSeason = StepScope::kSeason;
constexpr StepScope kLot = StepScope::kLot;
constexpr StepScope kEither = StepScope::kEither;
constexpr StepScope kServer = StepScope::kServer;

// CBV 2.0 business steps (GS1 EPCIS 2.0 JSON schema, "bizStep"), then ours. The Vietnamese names
// are what a consumer reads on the scan page.
constexpr StepInfo kSteps[] = {
    {"ocop:planting", kSeason, "Gieo trồng", "Planting"},
    {"ocop:caring", kSeason, "Chăm sóc", "Crop care"},
    {"ocop:fertilizing", kSeason, "Bón phân", "Fertilising"},
    {"ocop:spraying", kSeason, "Phun thuốc bảo vệ thực vật", "Spraying"},
    {"ocop:irrigating", kSeason, "Tưới nước", "Irrigation"},
    {"ocop:pruning", kSeason, "Đốn, tỉa cành", "Pruning"},
    // Animal husbandry, beekeeping and aquaculture: the "season" is a herd's, a hive's or a pond's
    // cycle; the harvest is slaughter, honey extraction or the catch.
    {"ocop:stocking", kSeason, "Thả giống, nhập đàn", "Stocking"},
    {"ocop:feeding", kSeason, "Cho ăn", "Feeding"},
    {"ocop:vaccinating", kSeason, "Tiêm phòng", "Vaccination"},
    {"ocop:treating", kSeason, "Dùng thuốc thú y", "Veterinary treatment"},
    {"ocop:harvesting", kLot, "Thu hoạch", "Harvest"},
    {"ocop:processing", kLot, "Chế biến", "Processing"},
    {"ocop:drying", kLot, "Phơi, sấy", "Drying"},
    {"ocop:splitting", kServer, "Chia lô", "Lot split"},
    {"ocop:blending", kServer, "Phối trộn lô", "Lots blended"},
    {"ocop:recalling", kServer, "Thu hồi", "Recall"},
    {"accepting", kLot, "Chấp nhận", "Accepted"},
    {"arriving", kLot, "Đến nơi", "Arrived"},
    {"assembling", kLot, "Lắp ráp", "Assembled"},
    {"collecting", kLot, "Thu gom", "Collected"},
    {"commissioning", kLot, "Khởi tạo lô", "Lot created"},
    {"consigning", kLot, "Ký gửi", "Consigned"},
    {"creating_class_instance", kLot, "Tạo lô", "Lot instance created"},
    {"cycle_counting", kLot, "Kiểm kê", "Cycle count"},
    {"decommissioning", kLot, "Ngừng sử dụng", "Decommissioned"},
    {"departing", kLot, "Rời đi", "Departed"},
    {"destroying", kLot, "Tiêu huỷ", "Destroyed"},
    {"disassembling", kLot, "Tháo rời", "Disassembled"},
    {"dispensing", kLot, "Chia nhỏ", "Dispensed"},
    {"encoding", kLot, "Mã hoá", "Encoded"},
    {"entering_exiting", kLot, "Ra vào", "Entering or exiting"},
    {"holding", kLot, "Tạm giữ", "On hold"},
    {"inspecting", kEither, "Kiểm tra chất lượng", "Quality check"},
    {"installing", kLot, "Lắp đặt", "Installed"},
    {"killing", kLot, "Giết mổ", "Slaughtered"},
    {"loading", kLot, "Bốc xếp lên xe", "Loaded"},
    {"other", kEither, "Khác", "Other"},
    {"packing", kLot, "Đóng gói", "Packing"},
    {"picking", kLot, "Lấy hàng", "Picked"},
    {"receiving", kLot, "Tiếp nhận", "Receiving"},
    {"removing", kLot, "Loại bỏ", "Removed"},
    {"repackaging", kLot, "Đóng gói lại", "Repackaged"},
    {"repairing", kLot, "Sửa chữa", "Repaired"},
    {"replacing", kLot, "Thay thế", "Replaced"},
    {"reserving", kLot, "Đặt trước", "Reserved"},
    {"retail_selling", kLot, "Bán lẻ", "Retail sale"},
    {"sampling", kEither, "Lấy mẫu", "Sampling"},
    {"sensor_reporting", kEither, "Ghi nhận cảm biến", "Sensor report"},
    {"shipping", kLot, "Vận chuyển", "Shipping"},
    {"staging_outbound", kLot, "Chuẩn bị xuất", "Staged for shipping"},
    {"stock_taking", kLot, "Kiểm kho", "Stock taking"},
    {"stocking", kLot, "Lên kệ", "Stocked"},
    {"storing", kLot, "Lưu kho", "Storage"},
    {"transporting", kLot, "Vận chuyển", "Transport"},
    {"unloading", kLot, "Dỡ hàng", "Unloaded"},
    {"unpacking", kLot, "Mở gói", "Unpacked"},
    {"void_shipping", kLot, "Huỷ vận chuyển", "Shipment voided"},
};

constexpr std::array<std::string_view, 33> kDispositions = {
    "active", "container_closed", "damaged", "destroyed", "dispensed", "disposed", "encoded",
    "expired", "in_progress", "in_transit", "inactive", "no_pedigree_match", "non_sellable_other",
    "partially_dispensed", "recalled", "reserved", "retail_sold", "returned", "sellable_accessible",
    "sellable_not_accessible", "stolen", "unknown", "available", "completeness_verified",
    "completeness_inferred", "conformant", "container_open", "mismatch_instance", "mismatch_class",
    "mismatch_quantity", "needs_replacement", "non_conformant", "unavailable",
};

}  // namespace

const StepInfo* FindStep(std::string_view name) {
  for (const StepInfo& step : kSteps) {
    if (step.name == name) return &step;
  }
  return nullptr;
}

bool IsDisposition(std::string_view name) {
  for (std::string_view disposition : kDispositions) {
    if (disposition == name) return true;
  }
  return false;
}

}  // namespace ocop::epcis
