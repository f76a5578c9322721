// The office's import CSV files (docs/registry.md lists the columns) read into ImportRecords rows.
// Columns are found by their header names; an unknown or repeated column is an error, so a
// misspelt header is not silently ignored. Values checked here: enum words, numbers, yes/no;
// everything else is the registry's to check.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ocop/registry/v1/registry.pb.h"

namespace ocop::ctl {

struct CsvImport {
  std::vector<registry::v1::ImportProducerRow> producers;
  std::vector<registry::v1::ImportProductRow> products;
  // The fields each file has columns for (unset without that file): the registry keeps a stored
  // record's other fields. Send them in the first ImportRecordsRequest (SetImportedFields).
  std::optional<google::protobuf::FieldMask> producer_fields;
  std::optional<google::protobuf::FieldMask> product_fields;
  // "file:line: column: reason"; nothing should be sent while there are any.
  std::vector<std::string> errors;
};

// Reads the producers and the products file from their text. An empty name means no such file;
// errors call each file by its name.
CsvImport ReadImportCsv(const std::string& producers_name, const std::string& producers_text,
                        const std::string& products_name, const std::string& products_text);

// Puts the files' field lists on `first`, the stream's first message.
void SetImportedFields(const CsvImport& files, registry::v1::ImportRecordsRequest& first);

}  // namespace ocop::ctl
